"""The command line: exit codes, messages on stderr, and docs/ untouched on failure."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import GOOD_SEED, REPO
from tests.test_write import snapshot
from timeline.build import Stop
from timeline.cli import generate, github_annotation
from timeline.problems import Problem


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(REPO / "build_timeline.py"), *args], cwd=cwd, capture_output=True, text=True
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "a.md").write_text(GOOD_SEED)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "authoring.md").write_text("hand-written")
    return tmp_path


def test_success(project: Path) -> None:
    result = run(cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "1 article, 1 event: 30 files written, 0 removed, 0 unchanged in docs/\n"
    assert (project / "docs/timeline/index.md").exists()
    assert (project / "docs/articles/a.md").exists()


def test_check_writes_nothing(project: Path) -> None:
    before = snapshot(project / "docs")
    result = run("--check", cwd=project)
    assert result.returncode == 0
    assert result.stdout == "1 seed file valid: 1 event.\n"
    assert snapshot(project / "docs") == before


def test_invalid_seeds_exit_1_with_every_problem_and_leave_docs_alone(project: Path) -> None:
    assert run(cwd=project).returncode == 0
    before = snapshot(project / "docs")
    (project / "seeds/a.md").write_text(GOOD_SEED.replace("kind: first", "kind: firstt"))
    (project / "seeds/b.md").write_text("\ufeffno front matter")
    (project / "seeds/c.md").write_bytes(b"---\ntitle: \xff\n---\n")
    result = run(cwd=project)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith("seeds/a.md:14:11: milestones[1].kind: unknown kind 'firstt'")
    # A byte-order mark is not a problem (Windows editors write one); what follows it is.
    assert lines[1] == "seeds/b.md:1:1: the file must start with a line '---' that opens the YAML front matter"
    assert lines[2].startswith("seeds/c.md:2:8: the file is not valid UTF-8")
    assert lines[3] == "3 problems in 3 files; nothing was written."
    assert "Traceback" not in result.stderr
    assert snapshot(project / "docs") == before


def test_custom_folders(project: Path) -> None:
    shutil.move(project / "seeds", project / "in")
    (project / "out").mkdir()
    result = run("--seeds", "in", "--docs", "out", cwd=project)
    assert result.returncode == 0, result.stderr
    assert (project / "out/timeline/index.md").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["--seeds", "missing"], "the seeds folder missing does not exist"),
        (["--docs", "missing"], "the docs folder missing does not exist"),
    ],
)
def test_bad_usage_exits_2(project: Path, args: list[str], message: str) -> None:
    result = run(*args, cwd=project)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_removed_article_pages_go(project: Path) -> None:
    (project / "seeds/b.md").write_text(GOOD_SEED.replace("uz-test-first", "uz-test-other"))
    assert run(cwd=project).returncode == 0
    assert (project / "docs/articles/b.md").exists()
    (project / "seeds/b.md").unlink()
    result = run(cwd=project)
    assert result.returncode == 0
    assert "1 removed" in result.stdout
    assert not (project / "docs/articles/b.md").exists()
    assert (project / "docs/authoring.md").read_text() == "hand-written"


def test_problems_become_github_annotations_in_actions(project: Path) -> None:
    (project / "seeds/a.md").write_text(GOOD_SEED.replace("kind: first", "kind: firstt"))
    env = os.environ | {"GITHUB_ACTIONS": "true"}
    result = subprocess.run(
        [sys.executable, str(REPO / "build_timeline.py"), "--check"],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 1
    assert result.stdout.startswith(
        "::error file=seeds/a.md,line=14,col=11,title=milestones[1].kind::milestones[1].kind: unknown kind 'firstt'"
    )


def test_github_annotation_escaping() -> None:
    problem = Problem("seeds/a,b:c.md", 3, 4, "100% wrong\nreally", "x")
    assert (
        github_annotation(problem) == "::error file=seeds/a%2Cb%3Ac.md,line=3,col=4,title=x::x: 100%25 wrong%0Areally"
    )


def test_pre_commit_hook_runs_the_check(project: Path) -> None:
    import yaml

    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text())
    (hook,) = config["repos"][0]["hooks"]
    assert hook["entry"].split()[1:] == ["build_timeline.py", "--check"]
    assert hook["pass_filenames"] is False
    command = [sys.executable, str(REPO / "build_timeline.py"), "--check"]
    assert subprocess.run(command, cwd=project, capture_output=True).returncode == 0
    (project / "seeds/a.md").write_text(GOOD_SEED.replace("countries: [UZ]", "countries: []"))
    assert subprocess.run(command, cwd=project, capture_output=True).returncode == 1


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ("{% for x in %}", "timeline.md.j2:1: template error: Expected an expression"),
        ("\n{{ tally.nothing_here|md }}", "timeline.md.j2:2: template error: 'timeline.model.Tally object' has no"),
        ("{{ tally.region[0] }}", "timeline.md.j2:1: template error: template printed 'UZ'"),
    ],
)
def test_a_template_error_stops_the_run_and_leaves_docs_alone(
    project: Path, tmp_path: Path, broken: str, message: str
) -> None:
    assert run(cwd=project).returncode == 0
    before = snapshot(project / "docs")
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    (templates / "timeline.md.j2").write_text(broken)
    with pytest.raises(Stop) as stopped:
        generate(project / "seeds", project / "docs", templates)
    assert message in stopped.value.message
    assert stopped.value.message.endswith("docs/ is unchanged")
    assert snapshot(project / "docs") == before


def test_an_unchanged_rerun_is_skipped_and_any_change_is_not(project: Path) -> None:
    assert run(cwd=project).returncode == 0
    assert run(cwd=project).stdout == "Nothing changed since the last run: docs/ is up to date.\n"
    seed = project / "seeds/a.md"
    seed.write_text(GOOD_SEED.replace("The first test transplant", "Edited"))
    assert "1 article, 1 event:" in run(cwd=project).stdout
    page = project / "docs/articles/a.md"
    page.write_text("edited by hand")
    assert "1 file written" in run(cwd=project).stdout
    assert page.read_text() != "edited by hand"
    seed.write_text(GOOD_SEED.replace("kind: first", "kind: firstt"))
    assert run(cwd=project).returncode == 1
    seed.write_text(GOOD_SEED.replace("The first test transplant", "Edited"))  # back as docs/ shows it
    assert run(cwd=project).stdout == "Nothing changed since the last run: docs/ is up to date.\n"
    assert not (project / "docs" / ".timeline-cache").exists()
    assert (project / ".timeline-cache").is_dir()
