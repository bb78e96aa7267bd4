"""The editor set-ups in the README read keras-lint's real output."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
KERAS_LINT = str(Path(sys.executable).parent / "keras-lint")


def vscode_tasks() -> dict:
    block = re.search(r"```json\n(\s*\{\s*\"version\": \"2\.0\.0\".*?)```", README, re.DOTALL)
    assert block, "the README has no tasks.json example"
    return json.loads(block[1])


def concise_output(*paths: str) -> list[str]:
    done = subprocess.run(
        [KERAS_LINT, "--format", "concise", "--isolated", "--no-cache", *paths],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    return done.stdout.splitlines()


def test_the_vscode_problem_matcher_reads_every_finding_of_a_file() -> None:
    (task,) = vscode_tasks()["tasks"]
    assert task["args"][:2] == ["--format", "concise"]
    pattern = task["problemMatcher"]["pattern"]
    regexp = re.compile(pattern["regexp"])
    lines = concise_output("fixtures/compile-before-fit/bad.py", "fixtures/docker-latest-tag")
    assert len(lines) == 3
    for line in lines:
        match = regexp.match(line)
        assert match, line
        path, row, column = match[pattern["file"]], match[pattern["line"]], match[pattern["column"]]
        assert (ROOT / path).is_file()
        assert int(row) >= 1 and int(column) >= 1
        assert re.fullmatch(r"KER\d{3}", match[pattern["code"]])
        assert line.endswith(match[pattern["message"]])


def test_the_neovim_pattern_reads_concise_stdin_output() -> None:
    lua = re.search(r'from_pattern\(\n\s+"([^"]+)"', README)
    assert lua, "the README has no nvim-lint pattern"
    # the Lua pattern's classes as a regular expression: %d digits, %u upper-case, ^ and $ anchors
    regexp = re.compile(lua[1].replace("%d", r"\d").replace("%u", "[A-Z]"))
    text = (ROOT / "fixtures/compile-before-fit/bad.py").read_text()
    done = subprocess.run(
        [KERAS_LINT, "--format", "concise", "--isolated", "--stdin-filename", "/x/y/train.py", "-"],
        cwd=ROOT, input=text, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    rows = [regexp.match(line) for line in done.stdout.splitlines()]
    assert rows and all(rows)
    assert {row[3] for row in rows if row} == {"KER101"}
