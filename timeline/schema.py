"""The JSON Schema of the annotation format, with the vocabularies filled in.

The schema file is the one description of the format's shape: validation uses
it, and the same document is published for editors' completion.
"""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

from timeline.vocabulary import Vocabulary

BASE = json.loads((resources.files("timeline") / "data" / "annotation.schema.json").read_text(encoding="utf-8"))


def annotation_schema(vocabulary: Vocabulary) -> dict[str, Any]:
    """Return the schema with country, procedure and kind enums from ``vocabulary``."""
    schema: dict[str, Any] = copy.deepcopy(BASE)
    definitions = schema["$defs"]
    definitions["country"]["enum"] = list(vocabulary.countries)
    definitions["procedure"]["enum"] = list(vocabulary.procedures)
    definitions["procedure"]["description"] = "; ".join(
        f"{term.code}: {term.description}" for term in vocabulary.procedures.values()
    )
    definitions["kind"]["enum"] = list(vocabulary.kinds)
    definitions["kind"]["description"] = "; ".join(
        f"{term.code}: {term.description}" for term in vocabulary.kinds.values()
    )
    return schema


def schema_json(schema: dict[str, Any]) -> str:
    """The schema as the file editors and the site get: stable key order, one trailing newline."""
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
