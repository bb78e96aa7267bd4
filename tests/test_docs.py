"""The generated rule pages in docs/: up to date, and their examples do what they say."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from keras_lint.docs import EXAMPLE_PRELUDE, generate, stale_pages
from keras_lint.engine import lint_content
from keras_lint.rules import ALL_RULES, PythonRule

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs" / "rules").glob("*.md"))
SECTION = re.compile(r"^## (?P<title>[^\n]+)\n(?P<body>.*?)(?=^## |\Z)", re.M | re.S)
BLOCK = re.compile(r"^```(?P<lang>\w*)\n(?P<body>.*?)^```$", re.M | re.S)


def test_every_committed_page_is_what_the_generator_writes() -> None:
    stale = stale_pages(ROOT, generate(ROOT))
    assert not stale, f"regenerate with `python -m keras_lint.docs`: {stale}"


def test_every_rule_has_a_page_listed_in_the_index() -> None:
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    for rule in ALL_RULES:
        assert (ROOT / "docs" / "rules" / f"{rule.name}.md").is_file()
        assert f"| {rule.code} | [{rule.name}](rules/{rule.name}.md) | {rule.severity} |" in index


def blocks(page: Path, title: str) -> list[tuple[str, str]]:
    """The fenced code blocks of a page's section, as ``(language, text)``."""
    text = page.read_text(encoding="utf-8")
    sections = {match["title"].strip(): match["body"] for match in SECTION.finditer(text)}
    return [(match["lang"], match["body"]) for match in BLOCK.finditer(sections.get(title, ""))]


def codes_in(language: str, body: str, code: str) -> list[str]:
    if language in ("dockerfile", "Dockerfile"):
        path, text = "Dockerfile", body
    elif language in ("yaml", "yml"):
        path, text = ("compose.yaml" if "services:" in body else "deployment.yaml"), body
    elif re.search(r"^(?:import|from) (?:keras|tensorflow)\b", body, re.MULTILINE):
        path, text = "train.py", body  # a whole program: its own imports, in its own order
    else:
        path, text = "train.py", with_prelude(body)
    result = lint_content(text.encode(), path, select=[code])
    assert not result.errors
    return [finding.code for finding in result.findings]


def with_prelude(body: str) -> str:
    """The example with ``EXAMPLE_PRELUDE`` in front, after the ``import os`` and ``os.environ``
    lines it starts with: an environment chosen before Keras is imported stays so."""
    lines = body.splitlines(keepends=True)
    head = 0
    while head < len(lines) and (
        not lines[head].strip() or lines[head].startswith(("import os\n", "os.environ"))
    ):
        head += 1
    return "".join(lines[:head]) + EXAMPLE_PRELUDE + "".join(lines[head:])


def page_code(page: Path) -> str:
    first = page.read_text(encoding="utf-8").splitlines()[0]
    return first.split()[1]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.stem)
def test_the_example_gives_the_rules_finding_and_use_instead_none(page: Path) -> None:
    code = page_code(page)
    examples, fixed = blocks(page, "Example"), blocks(page, "Use instead")
    if code == "KER001":
        return  # a parse error has no example program
    assert examples and fixed, f"{page.name}: an Example and a Use instead with code blocks"
    for language, body in examples:
        assert code in codes_in(language, body, code), f"{page.name} Example:\n{body}"
    for language, body in fixed:
        assert codes_in(language, body, code) == [], f"{page.name} Use instead:\n{body}"


class UnprovenRule(PythonRule):
    """
    ## What it does
    Nothing, in a test.
    """

    code = "KER999"
    name = "unproven-rule"
    summary = "a rule without fixtures"


@pytest.fixture
def unproven() -> Iterator[None]:
    ALL_RULES.append(UnprovenRule)
    yield
    ALL_RULES.remove(UnprovenRule)


def test_a_rule_without_fixtures_or_measurement_says_so(unproven: None, tmp_path: Path) -> None:
    shutil.copytree(ROOT / "fixtures", tmp_path / "fixtures")
    pages = generate(tmp_path)  # no docs/verify-cpu.json, no plots there
    page = pages[Path("docs/rules/unproven-rule.md")]
    assert "Static only: no runtime proof yet." in page
    assert "- **Severity**: error" in page
    index = pages[Path("docs/index.md")]
    assert "| KER999 | [unproven-rule](rules/unproven-rule.md) | error |" in index
    assert "Not measured yet" in pages[Path("docs/rules/compile-before-fit.md")]
    assert "Static only: the programs in" in pages[Path("docs/rules/docker-latest-tag.md")]


def run_docs(root: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "keras_lint.docs", "--root", str(root), *arguments],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip


def test_check_finds_an_edited_page_and_generating_repairs_it(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "fixtures", tmp_path / "fixtures")
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    assert run_docs(tmp_path, "--check").returncode == 0
    page = tmp_path / "docs/rules/compile-before-fit.md"
    page.write_text(page.read_text() + "a hand edit\n")
    (tmp_path / "docs/rules/old-rule.md").write_text("# a rule that is gone\n")
    done = run_docs(tmp_path, "--check")
    assert done.returncode == 1
    assert "docs/rules/compile-before-fit.md" in done.stdout
    assert "docs/rules/old-rule.md" in done.stdout
    assert run_docs(tmp_path).returncode == 0
    assert run_docs(tmp_path, "--check").returncode == 0
    assert not (tmp_path / "docs/rules/old-rule.md").exists()


def test_the_readme_links_every_rule_page_with_its_severity() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for rule in ALL_RULES:
        assert f"| {rule.code} | [{rule.name}](docs/rules/{rule.name}.md) | {rule.severity} |" in (
            readme
        )
