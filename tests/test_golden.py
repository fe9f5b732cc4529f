"""Golden files: the generated Markdown and data of the real seeds, reviewed and committed.

After a reviewed change to the output, refresh them with ``make golden``
(``pytest tests/test_golden.py --update-golden``) and commit the diff.
"""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import REPO
from timeline.load import read_seeds
from timeline.model import model_seeds
from timeline.render import render_site
from timeline.validate import Validator
from timeline.vocabulary import Vocabulary

GOLDEN = REPO / "tests" / "golden" / "docs"


@pytest.fixture(scope="module")
def generated(vocabulary: Vocabulary) -> dict[str, str]:
    seeds, problems = read_seeds(REPO / "seeds", "seeds")
    assert problems + Validator(vocabulary).validate(seeds) == []
    return render_site(*model_seeds(seeds, vocabulary))


def test_generated_files_match_the_golden_files(generated: dict[str, str], request: pytest.FixtureRequest) -> None:
    if request.config.getoption("--update-golden"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for name, text in generated.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_bytes(text.encode())  # bytes: the CSV's CRLF line ends stay
    committed = {str(p.relative_to(GOLDEN)) for p in GOLDEN.rglob("*") if p.is_file()}
    assert sorted(generated) == sorted(committed), "files added or removed: run `make golden` and review"
    for name, text in generated.items():
        expected = (GOLDEN / name).read_bytes().decode()
        assert text == expected, f"{name} differs from tests/golden/docs/{name}: run `make golden` and review the diff"
