"""``[tool.keras-lint]`` settings: where they are found, what is valid, how options override."""

from __future__ import annotations

from pathlib import Path

import pytest

from keras_lint.config import (
    DEFAULT_EXCLUDE,
    ConfigError,
    Settings,
    find_settings,
    load_config_file,
    with_overrides,
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_all_keys_are_read_and_patterns_are_anchored_at_the_file(tmp_path: Path) -> None:
    config = write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.keras-lint]\nselect = ["KER1", "KER201"]\n'
        'ignore = ["KER101"]\nexclude = ["legacy/"]\nextend-exclude = ["*_gen.py"]\n'
        '[tool.keras-lint.per-file-ignores]\n"tests/*" = ["KER601"]\n',
    )
    settings = find_settings([tmp_path]).settings
    assert settings.source == config.absolute()
    assert settings.root == tmp_path.resolve()
    assert settings.select == ["KER1", "KER201"]
    assert settings.ignore == ["KER101"]
    assert settings.exclude_patterns == ["legacy/", "*_gen.py"]
    assert settings.per_file_ignores == {"tests/*": ["KER601"]}


def test_the_nearest_pyproject_with_the_table_wins(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.keras-lint]\nignore = ["KER601"]\n')
    write(tmp_path / "pkg/pyproject.toml", '[project]\nname = "pkg"\n')  # no table: passed over
    write(tmp_path / "pkg/sub/pyproject.toml", '[tool.keras-lint]\nignore = ["KER301"]\n')
    assert find_settings([tmp_path / "pkg"]).settings.ignore == ["KER601"]
    assert find_settings([tmp_path / "pkg/sub"]).settings.ignore == ["KER301"]
    # several paths: searched from the folder that holds them all
    found = find_settings([tmp_path / "pkg/sub", tmp_path / "pkg/a.py"]).settings
    assert found.ignore == ["KER601"]


def test_without_configuration_the_defaults_apply(tmp_path: Path) -> None:
    settings = find_settings([tmp_path]).settings
    assert settings.source is None
    assert settings.select is None and settings.ignore == []
    assert settings.exclude == list(DEFAULT_EXCLUDE)


@pytest.mark.parametrize(
    ("table", "named"),
    [
        ('selct = ["KER101"]', "unknown key 'selct'"),
        ('select = "KER101"', "key 'select': expected a list of strings"),
        ("ignore = [1]", "key 'ignore': expected non-empty strings"),
        ('exclude = [""]', "key 'exclude': expected non-empty strings"),
        ('per-file-ignores = ["a"]', "key 'per-file-ignores': expected a table"),
        ('per-file-ignores = {"a.py" = "KER1"}', "key 'per-file-ignores.a.py'"),
    ],
)
def test_a_bad_key_or_value_is_an_error_naming_it(tmp_path: Path, table: str, named: str) -> None:
    write(tmp_path / "pyproject.toml", f"[tool.keras-lint]\n{table}\n")
    with pytest.raises(ConfigError, match=named) as raised:
        find_settings([tmp_path])
    assert str(tmp_path / "pyproject.toml") in raised.value.message


def test_malformed_toml_meant_for_keras_lint_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.keras-lint]\nselect = ["KER1"\n')
    with pytest.raises(ConfigError, match="not valid TOML"):
        find_settings([tmp_path])


def test_malformed_toml_of_another_tool_is_passed_over_with_a_warning(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.keras-lint]\nignore = ["KER601"]\n')
    write(tmp_path / "pkg/pyproject.toml", "[tool.black\n")
    found = find_settings([tmp_path / "pkg"])
    assert found.settings.ignore == ["KER601"]
    assert len(found.warnings) == 1
    assert "pkg/pyproject.toml" in found.warnings[0] and "not valid TOML" in found.warnings[0]


def test_config_option_reads_a_pyproject_or_a_plain_toml_file(tmp_path: Path) -> None:
    pyproject = write(tmp_path / "a/pyproject.toml", '[tool.keras-lint]\nignore = ["KER2"]\n')
    plain = write(tmp_path / "b/keras-lint.toml", 'select = ["KER101"]\n')
    assert load_config_file(pyproject).ignore == ["KER2"]
    assert load_config_file(plain).select == ["KER101"]
    assert load_config_file(plain).root == (tmp_path / "b").resolve()
    empty = write(tmp_path / "c/pyproject.toml", '[project]\nname = "c"\n')
    with pytest.raises(ConfigError, match=r"has no \[tool.keras-lint\] table"):
        load_config_file(empty)
    with pytest.raises(ConfigError, match="no such file"):
        load_config_file(tmp_path / "missing.toml")


def test_options_replace_select_and_exclude_and_add_to_ignore(tmp_path: Path) -> None:
    configured = Settings(
        root=tmp_path, select=["KER1"], ignore=["KER601"], exclude=["a/"], extend_exclude=["b/"]
    )
    merged = with_overrides(
        configured, select=["KER2"], ignore=["KER301"], exclude=["c/"], extend_exclude=["d/"]
    )
    assert merged.select == ["KER2"]
    assert merged.ignore == ["KER601", "KER301"]
    assert merged.exclude_patterns == ["c/", "b/", "d/"]
    assert with_overrides(configured) == configured
