"""Path patterns in .gitignore syntax and per-file ignores."""

from __future__ import annotations

from pathlib import Path

from keras_lint.finding import Finding
from keras_lint.patterns import PathPatterns, PerFileIgnores, read_gitignore


def test_names_match_at_any_depth_and_slashes_anchor(tmp_path: Path) -> None:
    patterns = PathPatterns(tmp_path, ["build", "src/legacy/", "*.ipynb", "!keep.ipynb"])
    assert patterns.matches(tmp_path / "build", is_dir=True)
    assert patterns.matches(tmp_path / "a/b/build", is_dir=True)
    assert patterns.matches(tmp_path / "build/x.py")
    assert patterns.matches(tmp_path / "src/legacy", is_dir=True)
    assert not patterns.matches(tmp_path / "other/src/legacy", is_dir=True)
    assert patterns.matches(tmp_path / "nb/a.ipynb")
    assert patterns.check(tmp_path / "nb/keep.ipynb") is False
    assert patterns.check(tmp_path / "train.py") is None


def test_paths_outside_the_base_are_matched_by_their_names(tmp_path: Path) -> None:
    patterns = PathPatterns(tmp_path / "project", ["build", "src/legacy/"])
    assert patterns.matches(tmp_path / "elsewhere/build", is_dir=True)
    assert not patterns.matches(tmp_path / "elsewhere/src/legacy/x.py")


def test_an_empty_or_missing_gitignore_has_no_patterns(tmp_path: Path) -> None:
    assert read_gitignore(tmp_path) is None
    (tmp_path / ".gitignore").write_text("\n# only a comment\n")
    spec = read_gitignore(tmp_path)
    assert spec is not None and spec.check(tmp_path / "x.py") is None


def finding(path: str, code: str) -> Finding:
    return Finding(path, 1, 1, 1, 2, code, "name", "message")


def test_per_file_ignores_drop_the_listed_codes_and_prefixes_only(tmp_path: Path) -> None:
    ignores = PerFileIgnores(tmp_path, {"tests/*": ["KER6"], "notebooks/**/*.ipynb": ["KER301"]})
    findings = [
        finding(str(tmp_path / "tests/test_a.py"), "KER601"),
        finding(str(tmp_path / "tests/test_a.py"), "KER101"),
        finding(str(tmp_path / "notebooks/x/y.ipynb"), "KER301"),
        finding(str(tmp_path / "train.py"), "KER601"),
    ]
    kept = ignores.keep(findings)
    assert [(Path(f.path).name, f.code) for f in kept] == [
        ("test_a.py", "KER101"),
        ("train.py", "KER601"),
    ]
