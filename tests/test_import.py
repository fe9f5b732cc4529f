"""Import: a raw text becomes a valid seed to annotate; nothing is ever overwritten."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO
from timeline.importer import clean, is_noise, slug, suggest_dates

RAW = REPO / "tests" / "fixtures" / "raw"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(REPO / "build_timeline.py"), *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "seeds").mkdir()
    return tmp_path


def test_import_creates_a_valid_seed_and_keeps_the_raw_text(project: Path) -> None:
    result = run("import", str(RAW / "kz-kidney.txt"), cwd=project)
    assert result.returncode == 0, result.stderr
    seed = project / "seeds" / "almaty-surgeons-perform-a-kidney-transplant-in-a-nine-year-old.md"
    assert result.stdout.startswith(f"Created {Path('seeds') / seed.name} and {Path('seeds/raw/kz-kidney.txt')}.")
    assert (project / "seeds/raw/kz-kidney.txt").read_bytes() == (RAW / "kz-kidney.txt").read_bytes()
    check = run("--check", cwd=project)
    assert check.returncode == 0, check.stderr
    text = seed.read_text(encoding="utf-8")
    front, body = text.split("\n---\n", 1)
    assert 'title: "Almaty surgeons perform a kidney transplant in a nine-year-old"' in front
    assert "countries: [KZ]" in front
    assert '#   "3 March 2024" -> 2024-03-03' in front
    assert '#   "December 2025" -> 2025-12' in front
    assert "#   KZ: Kazakhstan, Kazakh, Almaty" in front
    assert "#   TR: Türkiye" in front
    assert "#   Scientific Center of Pediatrics and Pediatric Surgery" in front
    assert "#   Ministry of Health of Kazakhstan" in front
    for furniture in ("Facebook", "Read also", "Google News", "News\n", "Share"):
        assert furniture not in body
    assert body.count("On 3 March 2024") == 1
    assert body.count("Almaty surgeons perform") == 0


@pytest.mark.parametrize(
    "saved_as",
    [
        pytest.param(lambda data: b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n"), id="bom-crlf"),
        pytest.param(lambda data: data.replace(b"\n", b"\r\n"), id="crlf"),
        pytest.param(lambda data: data.replace(b"\n", b"\r"), id="cr"),
    ],
)
def test_a_raw_text_from_windows_imports_as_the_lf_text_and_is_kept_as_it_came(
    tmp_path: Path, saved_as: Callable[[bytes], bytes]
) -> None:
    lf, windows = tmp_path / "lf", tmp_path / "windows"
    for project, data in ((lf, (RAW / "kz-kidney.txt").read_bytes()), (windows, None)):
        (project / "seeds").mkdir(parents=True)
        source = project / "kz-kidney.txt"
        source.write_bytes(data if data is not None else saved_as((RAW / "kz-kidney.txt").read_bytes()))
        result = run("import", str(source), cwd=project)
        assert result.returncode == 0, result.stderr
    name = "almaty-surgeons-perform-a-kidney-transplant-in-a-nine-year-old.md"
    seed = (windows / "seeds" / name).read_bytes()
    assert seed == (lf / "seeds" / name).read_bytes()  # the same cleaned text: no BOM, no CR
    raw = windows / "seeds/raw/kz-kidney.txt"
    as_came = (windows / "kz-kidney.txt").read_bytes()
    assert raw.read_bytes() == as_came and b"\r" in as_came
    check = run("--check", cwd=windows)
    assert check.returncode == 0, check.stderr
    # The editor then saves the seed on Windows: still valid, and the raw text is untouched.
    (windows / "seeds" / name).write_bytes(b"\xef\xbb\xbf" + seed.replace(b"\n", b"\r\n"))
    check = run("--check", cwd=windows)
    assert check.returncode == 0, check.stderr
    assert raw.read_bytes() == as_came


def test_a_page_that_starts_mid_article(project: Path) -> None:
    result = run("import", str(RAW / "tj-midarticle.txt"), "--id", "tj-bmt-department", cwd=project)
    assert result.returncode == 0, result.stderr
    text = (project / "seeds/tj-bmt-department.md").read_text(encoding="utf-8")
    assert 'title: "Dushanbe plans its first pediatric bone marrow transplant department"' in text
    assert "countries: [TJ]" in text
    assert '#   "May 2" (no year printed: infer it, or use an interval)' in text
    assert "#   Republican Clinical Hospital of Dushanbe" in text
    assert "\nHealth\n" not in text and "\nMore\n" not in text
    assert run("--check", cwd=project).returncode == 0


def test_never_overwrites(project: Path) -> None:
    assert run("import", str(RAW / "tj-midarticle.txt"), "--id", "one", cwd=project).returncode == 0
    before = (project / "seeds/one.md").read_bytes()
    again = run("import", str(RAW / "tj-midarticle.txt"), "--id", "two", cwd=project)
    assert again.returncode == 1
    assert "seeds/raw/tj-midarticle.txt already exists" in again.stderr
    assert not (project / "seeds/two.md").exists()
    (project / "seeds/raw/tj-midarticle.txt").unlink()
    same_id = run("import", str(RAW / "tj-midarticle.txt"), "--id", "one", cwd=project)
    assert same_id.returncode == 1 and "seeds/one.md already exists" in same_id.stderr
    assert (project / "seeds/one.md").read_bytes() == before
    assert not (project / "seeds/raw/tj-midarticle.txt").exists()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--id", "Bad Id"], 2, "--id 'Bad Id': ids use lowercase letters"),
        (["--country", "XX"], 2, "--country XX: not an ISO 3166-1 alpha-2 code"),
        (["--seeds", "nowhere"], 2, "the seeds folder nowhere does not exist"),
    ],
)
def test_bad_usage(project: Path, args: list[str], code: int, message: str) -> None:
    result = run("import", str(RAW / "kz-kidney.txt"), *args, cwd=project)
    assert result.returncode == code
    assert message in result.stderr
    assert list((project / "seeds").iterdir()) == []


def test_a_text_without_country_or_content_is_refused(project: Path, tmp_path: Path) -> None:
    nowhere = tmp_path / "nowhere.txt"
    nowhere.write_text("A headline about nothing\nThe text names no place at all.\n")
    result = run("import", str(nowhere), cwd=project)
    assert result.returncode == 1
    assert "no country found in the text; name one with --country CODE" in result.stderr
    assert run("import", str(nowhere), "--country", "UZ", cwd=project).returncode == 0
    empty = run("import", str(RAW / "noise-only.txt"), cwd=project)
    assert empty.returncode == 1 and "the text is empty" in empty.stderr


@pytest.mark.parametrize(
    ("line", "noise"),
    [
        ("VK X OK WhatsApp Telegram", True),
        ("Read also: Astana opens", True),
        ("Follow The Eastern Herald on Google News. Show your support.", True),
        ("News", True),
        ("More", True),
        ("Telegram channel reports a new hospital.", False),
        ("2024", False),
    ],
)
def test_noise_lines(line: str, noise: bool) -> None:
    assert is_noise(line) is noise


def test_repeated_copies_are_dropped() -> None:
    title, body = clean("Headline here now\nFirst paragraph.\nSecond.\nFirst paragraph.\nSecond.\n")
    assert title == "Headline here now"
    assert body == "First paragraph.\n\nSecond."


def test_dates_and_slug() -> None:
    assert suggest_dates("On May 14, and on 10 February 2020, for 2020-2024.") == [
        '"May 14" (no year printed: infer it, or use an interval)',
        '"10 February 2020" -> 2020-02-10',
        '"2020-2024" -> 2020/2024',
    ]
    assert slug("A conference — held in Bishkek!") == "a-conference-held-in-bishkek"
    assert len(slug("word " * 40)) <= 80
    assert slug("В Ташкенте прошла конференция") == "v-tashkente-proshla-konferentsiya"
    assert slug("Oʻzbekistonda bolalar") == "ozbekistonda-bolalar"
    assert slug("National Children's Medical Center") == "national-childrens-medical-center"
