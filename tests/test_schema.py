"""The JSON Schema: one document for validation, editors and the site."""

from __future__ import annotations

import json

import jsonschema

from tests.conftest import REPO
from timeline.schema import annotation_schema, schema_json
from timeline.vocabulary import Vocabulary

EDITOR_SCHEMA = REPO / "schema" / "annotation.schema.json"


def test_the_editors_schema_is_current(vocabulary: Vocabulary) -> None:
    expected = schema_json(annotation_schema(vocabulary))
    assert EDITOR_SCHEMA.read_text(encoding="utf-8") == expected, (
        "schema/annotation.schema.json is stale: run `make schema` and commit it"
    )


def test_the_schema_is_a_valid_draft_2020_12_schema(vocabulary: Vocabulary) -> None:
    jsonschema.Draft202012Validator.check_schema(annotation_schema(vocabulary))


def test_vocabularies_feed_the_enums(vocabulary: Vocabulary) -> None:
    schema = json.loads(EDITOR_SCHEMA.read_text(encoding="utf-8"))
    assert schema["$defs"]["procedure"]["enum"] == list(vocabulary.procedures)
    assert schema["$defs"]["kind"]["enum"] == list(vocabulary.kinds)
    assert schema["$defs"]["country"]["enum"] == list(vocabulary.countries)
