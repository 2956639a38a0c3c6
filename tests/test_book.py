"""The book's notebooks agree with its configuration and follow its conventions."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib
import yaml

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
REPOSITORY = CONFIG["repository"]["url"].rstrip("/")


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell):
    return "".join(cell["source"])


def _toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_first_cell_installs_seqlib_in_colab_from_the_configured_repository(path):
    first = _cells(path)[0]
    source = _source(first)
    assert first["cell_type"] == "code", "the first cell must be the Colab install cell"
    assert '"google.colab" in sys.modules' in source
    urls = re.findall(r"git\+(https://[^\s\"']+)", source)
    assert urls == [REPOSITORY], (
        f"Colab cell installs from {urls}, _config.yml says {REPOSITORY}"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_in_the_table_of_contents_with_a_label(path):
    assert f"notebooks/{path.stem}" in _toc_files()
    markdown = [_source(c) for c in _cells(path) if c["cell_type"] == "markdown"]
    assert re.match(r"\(ch-[a-z0-9-]+\)=\n# ", markdown[0]), (
        "first markdown cell: label, title"
    )


def _prose_lines(text):
    """Lines of Markdown outside fenced code blocks."""
    fence = None
    for line in text.split("\n"):
        marker = re.match(r"\s*(`{3,}|~{3,})", line)
        if marker and (fence is None or marker.group(1).startswith(fence)):
            fence = None if fence else marker.group(1)[0] * 3
        elif fence is None:
            yield line


def test_no_prose_line_starts_with_a_percent_sign():
    """MyST reads such a line as a comment and drops it: a wrapped "40.1\n%)" vanishes."""
    texts = {p.name: (p.read_text(encoding="utf-8"),) for p in (ROOT / "book").glob("*.md")}
    for path in NOTEBOOKS:
        texts[path.name] = [
            _source(c) for c in _cells(path) if c["cell_type"] == "markdown"
        ]
    dropped = [
        f"{name}: {line.strip()!r}"
        for name, sources in texts.items()
        for text in sources
        for line in _prose_lines(text)
        if line.lstrip().startswith("%")
    ]
    assert not dropped, dropped


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_executed_without_unexpected_errors(path):
    code = [c for c in _cells(path) if c["cell_type"] == "code" and _source(c).strip()]
    assert all(c.get("execution_count") for c in code[1:]), (
        "run `make book` and commit outputs"
    )
    for cell in code:
        errors = [o for o in cell.get("outputs", []) if o["output_type"] == "error"]
        if errors:
            tags = cell.get("metadata", {}).get("tags", [])
            assert "raises-exception" in tags, f"stored error: {errors[0]['ename']}"


def test_the_repository_address_and_version_agree_everywhere():
    """_config.yml holds the address; seqlib/__init__.py the version."""
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["repository-code"].rstrip("/") == REPOSITORY
    assert "version" not in citation, "the version lives in seqlib/__init__.py only"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["urls"]["Source"].rstrip("/") == REPOSITORY
    assert (
        "version" not in project["project"] and "version" in project["project"]["dynamic"]
    )
    dynamic = project["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "seqlib.__version__"}


def test_make_help_lists_every_target():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    phony = re.search(r"^\.PHONY:(.*?)\n(?!\t)", makefile, re.S | re.M).group(1)
    targets = set(phony.replace("\\", " ").split()) - {"help"}
    listed = set(re.findall(r'@echo "\s+make ([\w-]+)', makefile))
    assert targets <= listed, f"make help does not list {sorted(targets - listed)}"


def test_the_reading_times_table_is_current():
    """book/start.md's table is made by tools/reading_times.py from the notebooks."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "reading_times.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_background_load_stops_by_itself_and_checks_its_arguments():
    script = str(ROOT / "tools" / "background_load.py")
    done = subprocess.run([sys.executable, script, "--seconds", "0.3"],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    done = subprocess.run([sys.executable, script, "--workers", "0"],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 2 and "--workers must be at least 1; got 0" in done.stderr
