"""Config loading and its helpers: sources, validation messages, severity, per-file ignores, options."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from ipclint.config import Config, ConfigError, load_config, parse_config
from ipclint.model import Severity
from ipclint.rules import ALL_RULES

RULES = {r.name: r for r in ALL_RULES}


def _load(tmp_path: Path, name: str, content: str) -> Config:
    (tmp_path / name).write_text(content, encoding="utf-8")
    return load_config(tmp_path)


def test_no_config_is_the_default(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"name": "x"}')
    (tmp_path / "pyproject.toml").write_text('[tool.black]\nline-length = 1\n')
    assert load_config(tmp_path) == Config()


def test_first_source_wins_and_is_named(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text(json.dumps({"ipclint": {"ignore": ["IPC001"]}}))
    assert load_config(tmp_path).ignore == ("IPC001",)
    c = _load(tmp_path, "ipclint.toml", 'ignore = ["IPC002"]\n')
    assert c.ignore == ("IPC002",) and c.source.endswith("ipclint.toml")
    assert _load(tmp_path, ".ipclint.toml", 'ignore = ["IPC003"]\n').ignore == ("IPC003",)


def test_explicit_file_of_any_kind(tmp_path: Path) -> None:
    p = tmp_path / "conf" / "pyproject.toml"
    p.parent.mkdir()
    p.write_text('[tool.ipclint]\nselect = ["IPC01"]\n')
    assert load_config(tmp_path, p).select == ("IPC01",)


@pytest.mark.parametrize("name,content,needle", [
    (".ipclint.toml", "selct = []\n", "unknown key 'selct' (did you mean 'select'?)"),
    (".ipclint.toml", "[roles]\npreloads = ['x']\n", "unknown key 'roles.preloads' (did you mean 'preload'?)"),
    (".ipclint.toml", "exclude = [1]\n", "key 'exclude' must be a list of strings"),
    (".ipclint.toml", "[per-file-ignores]\n'a/**' = 'IPC999'\n", "key 'per-file-ignores.a/**': unknown rule"),
    (".ipclint.toml", "severity = { IPC003 = 2 }\n", "key 'severity.IPC003' must be error, warning or note"),
    (".ipclint.toml", "severity = { IPC9 = 'note' }\n", "key 'severity': unknown rule code"),
    (".ipclint.toml", "ignore = ['IPC003', 'magic-chanel']\n", "key 'ignore': unknown rule code, prefix or name"),
    (".ipclint.toml", "[rules.magic-chanel]\n", "unknown key 'rules.magic-chanel' (no such rule) (did you mean"),
    (".ipclint.toml", "[rules.tainted-sink]\nsinks = 'myExec'\n", "key 'rules.tainted-sink.sinks' must be a list of strings"),
    (".ipclint.toml", "[rules.tainted-sink]\nsink = ['x']\n", "unknown option 'sink' for rule tainted-sink (did you mean 'sinks'?)"),
    (".ipclint.toml", "[rules]\ntainted-sink = 3\n", "key 'rules.tainted-sink' must be a table"),
    (".ipclint.toml", "[rules.IPC006]\nsinks = []\n[rules.tainted-sink]\nsinks = []\n", "configured twice"),
    (".ipclint.toml", "select = [\n", "invalid TOML"),
    ("package.json", '{"ipclint": ["IPC001"]}', "key 'ipclint' must be an object"),
    ("package.json", '{"ipclint": {"selects": []}', "invalid JSON"),
    ("pyproject.toml", "[tool]\nipclint = 'all'\n", "key 'tool.ipclint' must be a table"),
])
def test_errors_name_the_file_and_the_key(tmp_path: Path, name: str, content: str, needle: str) -> None:
    with pytest.raises(ConfigError) as exc:
        _load(tmp_path, name, content)
    msg = str(exc.value)
    assert msg.startswith(str(tmp_path / name) + ": ") and needle in msg, msg
    assert "\n" not in msg


def test_unreadable_config_is_an_error(tmp_path: Path) -> None:
    (tmp_path / ".ipclint.toml").write_bytes(b"select = ['\xff']\n")
    with pytest.raises(ConfigError, match=r"\.ipclint\.toml: cannot read config"):
        load_config(tmp_path)


def test_select_and_ignore_accept_a_comma_separated_string() -> None:
    c = parse_config({"select": "IPC00, unhandled-channel", "ignore": "IPC009"}, "x.toml")
    assert (c.select, c.ignore) == (("IPC00", "unhandled-channel"), ("IPC009",))


def test_severity_most_specific_entry_wins() -> None:
    c = parse_config({"severity": {"IPC": "note", "IPC01": "warning", "duplicate-handler": "error",
                                   "IPC007": "error"}}, "x.toml")
    assert c.severity_for("IPC003", "magic-channel", Severity.WARNING) == Severity.NOTE
    assert c.severity_for("IPC010", "unhandled-channel", Severity.ERROR) == Severity.WARNING
    assert c.severity_for("IPC012", "duplicate-handler", Severity.WARNING) == Severity.ERROR
    assert c.severity_for("IPC007", "unchecked-sender", Severity.WARNING) == Severity.ERROR
    assert Config().severity_for("IPC007", "unchecked-sender", Severity.WARNING) == Severity.WARNING


def test_per_file_ignores_globs_codes_prefixes_and_names() -> None:
    c = parse_config({"per-file-ignores": {"src/legacy/**": ["IPC00", "unused-handler"], "*.test.ts": "IPC"}},
                     "x.toml")
    assert c.ignored_for("src/legacy/a/b.js", "IPC003", "magic-channel")
    assert c.ignored_for("src/legacy/b.js", "IPC011", "unused-handler")
    assert not c.ignored_for("src/legacy/b.js", "IPC010", "unhandled-channel")
    assert not c.ignored_for("src/main/b.js", "IPC003", "magic-channel")
    assert c.ignored_for("deep/x.test.ts", "IPC013", "insecure-webpreferences")


def test_rule_options_are_normalised_by_name_or_code() -> None:
    c = parse_config({"rules": {"IPC005": {"validators": ["mustBeId"]},
                                "unchecked-sender": {"sender-checks": ["frameIsOurs"]}}}, "x.toml")
    assert c.rules == {"unvalidated-handler": {"validators": ("mustBeId",)},
                       "unchecked-sender": {"sender-checks": ("frameIsOurs",)}}
    opts = c.rule_options(RULES["unchecked-sender"])
    assert opts.sender_checks == ("frameIsOurs",) and opts.trusted_wrappers == ()
    assert c.rule_options(RULES["magic-channel"]) == RULES["magic-channel"].options()


def test_roles_are_glob_lists() -> None:
    c = parse_config({"roles": {"preload": "src/bridge/*.ts", "renderer": ["src/ui/**"]}}, "x.toml")
    assert c.roles == {"preload": ("src/bridge/*.ts",), "renderer": ("src/ui/**",)}
