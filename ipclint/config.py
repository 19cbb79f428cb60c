"""Configuration (SPEC §5): `.ipclint.toml`, `ipclint.toml`, the "ipclint" key of package.json, or
`[tool.ipclint]` in pyproject.toml, read from the project root. Unknown keys and wrong types are
errors that name the key and the file."""
from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

import pathspec

from ipclint.model import Severity

ROLE_KEYS = ("main", "preload", "renderer", "shared")
TOP_KEYS = {"select": list, "ignore": list, "exclude": list, "per-file-ignores": dict, "severity": dict,
            "roles": dict, "rules": dict}


class ConfigError(ValueError):
    """Bad configuration: the message names the file and the key."""


@dataclass(frozen=True)
class Config:
    source: str | None = None
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    severity: tuple[tuple[str, str], ...] = ()
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    rules: dict[str, dict[str, Any]] = field(default_factory=dict, hash=False)

    def severity_for(self, code: str, name: str, default: Severity) -> Severity:
        for key, level in self.severity:
            if key.upper() == code or key.lower() == name:
                return Severity(level)
        return default

    def ignored_for(self, path: str, code: str, name: str) -> bool:
        for glob, codes in self.per_file_ignores:
            if pathspec.GitIgnoreSpec.from_lines([glob]).match_file(path) and any(
                    code.startswith(c.upper()) or c.lower() == name for c in codes):
                return True
        return False

    def rule_options(self, rule):
        """The rule's options dataclass filled from `[rules.<name>]` (or `[rules.<CODE>]`)."""
        raw = self.rules.get(rule.name) or self.rules.get(rule.code) or {}
        opts_cls = rule.options
        if not is_dataclass(opts_cls):
            return opts_cls()
        known = {f.name.replace("_", "-"): f for f in fields(opts_cls)}
        kwargs = {}
        for key, value in raw.items():
            f = known.get(key)
            if f is None:
                raise ConfigError(f"{self.source}: unknown option '{key}' for rule {rule.name} "
                                  f"(known: {', '.join(sorted(known)) or 'none'})")
            kwargs[f.name] = tuple(value) if isinstance(value, list) else value
        return opts_cls(**kwargs)


def _find(root: Path, explicit: Path | None) -> tuple[Path, dict] | None:
    if explicit is not None:
        return explicit, _read(explicit, explicit.name == "package.json", explicit.name == "pyproject.toml")
    for name in (".ipclint.toml", "ipclint.toml"):
        p = root / name
        if p.is_file():
            return p, _read(p)
    pkg = root / "package.json"
    if pkg.is_file():
        data = _read(pkg, package_json=True)
        if data is not None:
            return pkg, data
    py = root / "pyproject.toml"
    if py.is_file():
        data = _read(py, pyproject=True)
        if data is not None:
            return py, data
    return None


def _read(p: Path, package_json: bool = False, pyproject: bool = False) -> dict | None:
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read config: {exc.strerror or exc}") from None
    try:
        if package_json:
            data = json.loads(text)
            section = data.get("ipclint") if isinstance(data, dict) else None
            if section is not None and not isinstance(section, dict):
                raise ConfigError(f"{p}: key 'ipclint' must be an object")
            return section
        data = tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{p}: invalid {'JSON' if package_json else 'TOML'}: {exc}") from None
    if pyproject:
        return (data.get("tool") or {}).get("ipclint")
    return data


def load_config(root: Path, explicit: Path | None = None) -> Config:
    found = _find(root, explicit)
    if found is None or found[1] is None:
        return Config()
    path, data = found
    return parse_config(data, str(path))


def _strings(src: str, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{src}: key '{key}' must be a list of strings")
    return tuple(value)


def parse_config(data: dict, src: str) -> Config:
    for key, value in data.items():
        if key not in TOP_KEYS:
            raise ConfigError(f"{src}: unknown key '{key}'")
        want = TOP_KEYS[key]
        if want is list and not isinstance(value, (list, str)) or want is dict and not isinstance(value, dict):
            raise ConfigError(f"{src}: key '{key}' must be {'a list' if want is list else 'a table'}")
    pfi = tuple((glob, _strings(src, f"per-file-ignores.{glob}", codes))
                for glob, codes in (data.get("per-file-ignores") or {}).items())
    sev = []
    for code, level in (data.get("severity") or {}).items():
        if level not in ("error", "warning", "note"):
            raise ConfigError(f"{src}: key 'severity.{code}' must be error, warning or note")
        sev.append((code, level))
    roles = {}
    for role, globs in (data.get("roles") or {}).items():
        if role not in ROLE_KEYS:
            raise ConfigError(f"{src}: unknown key 'roles.{role}'")
        roles[role] = _strings(src, f"roles.{role}", globs)
    rules = {}
    for name, opts in (data.get("rules") or {}).items():
        if not isinstance(opts, dict):
            raise ConfigError(f"{src}: key 'rules.{name}' must be a table")
        rules[name] = opts
    config = Config(source=src, select=_strings(src, "select", data["select"]) if "select" in data else None,
                    ignore=_strings(src, "ignore", data.get("ignore", [])),
                    exclude=_strings(src, "exclude", data.get("exclude", [])),
                    per_file_ignores=pfi, severity=tuple(sev), roles=roles, rules=rules)
    _check_rule_names(config)
    return config


def _check_rule_names(config: Config) -> None:
    from ipclint.rules import ALL_RULES
    from ipclint.select import validate
    known = {r.name for r in ALL_RULES} | {r.code for r in ALL_RULES}
    for name in config.rules:
        if name not in known:
            raise ConfigError(f"{config.source}: unknown key 'rules.{name}' (no such rule)")
    try:
        validate(ALL_RULES, list(config.select or ()) + list(config.ignore) + [k for k, _ in config.severity])
    except ValueError as exc:
        raise ConfigError(f"{config.source}: {exc}") from None
    for rule in ALL_RULES:
        if rule.name in config.rules or rule.code in config.rules:
            config.rule_options(rule)
