"""Configuration (SPEC §5): `.ipclint.toml`, `ipclint.toml`, the "ipclint" key of package.json, or
`[tool.ipclint]` in pyproject.toml, read from the project root. Unknown keys and wrong types are
errors that name the key and the file."""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import MISSING, Field, dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ipclint.model import Severity
from ipclint.safefs import read_in_root

if TYPE_CHECKING:  # pragma: no cover
    import pathspec

    from ipclint.rules._base import OptionsT, Rule

ROLE_KEYS = ("main", "preload", "renderer", "shared")
TOP_KEYS = {"select": list, "ignore": list, "exclude": list, "per-file-ignores": dict, "severity": dict,
            "roles": dict, "rules": dict}
LEVELS = ("error", "warning", "note")


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
    # rule name -> option (kebab-case) -> value, validated and normalised (lists become tuples)
    rules: dict[str, dict[str, Any]] = field(default_factory=dict, hash=False)

    def severity_for(self, code: str, name: str, default: Severity) -> Severity:
        """The configured level for the rule; among codes, prefixes and names the most specific wins."""
        from ipclint.select import specificity
        best, level = 0, None
        for key, value in self.severity:
            n = specificity(code, name, key)
            if n > best:
                best, level = n, value
        return Severity(level) if level else default

    def ignored_for(self, path: str, code: str, name: str) -> bool:
        from ipclint.select import specificity
        return any(_spec(glob).match_file(path) and any(specificity(code, name, c) for c in codes)
                   for glob, codes in self.per_file_ignores)

    def rule_options(self, rule: Rule[OptionsT]) -> OptionsT:
        """The rule's options dataclass filled from `[rules.<name>]` (or `[rules.<CODE>]`)."""
        raw = self.rules.get(rule.name) or self.rules.get(rule.code) or {}
        opts_cls = rule.options
        known = {f.name.replace("_", "-"): f for f in fields(opts_cls)}
        kwargs: dict[str, Any] = {}
        for key, value in raw.items():
            f = known.get(key)
            if f is None:
                raise ConfigError(f"{self.source}: unknown option '{key}' for rule {rule.name}"
                                  f"{_hint(key, known)} (known: {', '.join(sorted(known)) or 'none'})")
            kwargs[f.name] = _option_value(self.source, f"rules.{rule.name}.{key}", value, f)
        return opts_cls(**kwargs)


@lru_cache(maxsize=256)
def _spec(glob: str) -> pathspec.GitIgnoreSpec:
    import pathspec  # (only when a config has per-file ignores: a warm run needs none)
    return pathspec.GitIgnoreSpec.from_lines([glob])


def _hint(key: str, choices: Iterable[str]) -> str:
    import difflib
    close = difflib.get_close_matches(key, list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _option_value(src: str | None, key: str, value: Any, f: Field[Any]) -> Any:
    """Check an option's value against its field's default: tuples take a list of strings."""
    default = f.default if f.default is not MISSING else None
    if isinstance(default, tuple):
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{src}: key '{key}' must be a list of strings")
        return tuple(value)
    if isinstance(default, bool) and not isinstance(value, bool):
        raise ConfigError(f"{src}: key '{key}' must be true or false")
    if isinstance(default, (int, float, str)) and not isinstance(default, bool) and (
            not isinstance(value, type(default)) or isinstance(value, bool)):
        raise ConfigError(f"{src}: key '{key}' must be a {type(default).__name__}")
    return value


def _find(root: Path, explicit: Path | None) -> tuple[Path, dict[str, Any] | None] | None:
    if explicit is not None:
        return explicit, _read(explicit, explicit.name == "package.json", explicit.name == "pyproject.toml")
    # The project's own config files are read only when they lie inside the root (never through a
    # symlink out of it); an explicit --config is the user's choice.
    for name in (".ipclint.toml", "ipclint.toml"):
        p = root / name
        if p.is_file():
            return p, _read(p, root=root)
    for name, kind in (("package.json", {"package_json": True}), ("pyproject.toml", {"pyproject": True})):
        p = root / name
        if p.is_file():
            data = _read(p, root=root, **kind)
            if data is not None:
                return p, data
    return None


def _read(p: Path, package_json: bool = False, pyproject: bool = False,
          root: Path | None = None) -> dict[str, Any] | None:
    try:
        if root is not None:
            raw = read_in_root(root, p.name)
            if raw is None:
                raise OSError("not a regular file inside the project root")
            text = raw.decode("utf-8-sig")
        else:
            text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot read config: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        if package_json:
            data = json.loads(text)
            section = data.get("ipclint") if isinstance(data, dict) else None
            key = "ipclint"
        else:
            import tomllib  # (only a project with a TOML config pays for the import)
            data = tomllib.loads(text)
            section = (data.get("tool") or {}).get("ipclint") if pyproject else data
            key = "tool.ipclint"
    except (ValueError, AttributeError) as exc:  # (tomllib.TOMLDecodeError is a ValueError)
        raise ConfigError(f"{p}: invalid {'JSON' if package_json else 'TOML'}: {exc}") from None
    if section is not None and not isinstance(section, dict):
        raise ConfigError(f"{p}: key '{key}' must be {'an object' if package_json else 'a table'}")
    return section


def load_config(root: Path, explicit: Path | None = None) -> Config:
    found = _find(root, explicit)
    if found is None:
        return Config()
    path, data = found
    return parse_config(data, str(path)) if data is not None else Config()


def _strings(src: str, key: str, value: Any, commas: bool = False) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",") if commas else [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{src}: key '{key}' must be a list of strings")
    return tuple(v.strip() for v in value if v.strip()) if commas else tuple(value)


def parse_config(data: dict[str, Any], src: str) -> Config:
    for key, value in data.items():
        if key not in TOP_KEYS:
            raise ConfigError(f"{src}: unknown key '{key}'{_hint(key, TOP_KEYS)}")
        want = TOP_KEYS[key]
        if want is list and not isinstance(value, (list, str)) or want is dict and not isinstance(value, dict):
            raise ConfigError(f"{src}: key '{key}' must be {'a list' if want is list else 'a table'}")
    pfi = tuple((glob, _strings(src, f"per-file-ignores.{glob}", codes, commas=True))
                for glob, codes in (data.get("per-file-ignores") or {}).items())
    sev = []
    for code, level in (data.get("severity") or {}).items():
        if not isinstance(level, str) or level not in LEVELS:
            raise ConfigError(f"{src}: key 'severity.{code}' must be error, warning or note")
        sev.append((code, level))
    roles = {}
    for role, globs in (data.get("roles") or {}).items():
        if role not in ROLE_KEYS:
            raise ConfigError(f"{src}: unknown key 'roles.{role}'{_hint(role, ROLE_KEYS)}")
        roles[role] = _strings(src, f"roles.{role}", globs)
    config = Config(source=src,
                    select=_strings(src, "select", data["select"], commas=True) if "select" in data else None,
                    ignore=_strings(src, "ignore", data.get("ignore", []), commas=True),
                    exclude=_strings(src, "exclude", data.get("exclude", [])),
                    per_file_ignores=pfi, severity=tuple(sev), roles=roles,
                    rules=_rules(src, data.get("rules") or {}))
    _check_codes(config)
    return config


def _rules(src: str, raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """`[rules.<name or CODE>]` tables, keyed by rule name, each option checked against the rule."""
    from ipclint.rules import ALL_RULES
    by_key = {r.name: r for r in ALL_RULES} | {r.code: r for r in ALL_RULES}
    out: dict[str, dict[str, Any]] = {}
    for key, opts in raw.items():
        rule = by_key.get(key) or by_key.get(key.upper())
        if rule is None:
            raise ConfigError(f"{src}: unknown key 'rules.{key}' (no such rule){_hint(key, by_key)}")
        if not isinstance(opts, dict):
            raise ConfigError(f"{src}: key 'rules.{key}' must be a table")
        if rule.name in out:
            raise ConfigError(f"{src}: key 'rules.{key}': rule {rule.name} is configured twice")
        out[rule.name] = dict(opts)
    probe = Config(source=src, rules=out)
    for name, opts in out.items():
        parsed = probe.rule_options(by_key[name])
        opts.update({k: getattr(parsed, k.replace("-", "_")) for k in opts})
    return out


def _check_codes(config: Config) -> None:
    from ipclint.rules import ALL_RULES
    from ipclint.select import validate
    where = [("select", list(config.select or ())), ("ignore", list(config.ignore)),
             ("severity", [k for k, _ in config.severity])]
    where += [(f"per-file-ignores.{glob}", list(codes)) for glob, codes in config.per_file_ignores]
    for key, entries in where:
        try:
            validate(ALL_RULES, entries)
        except ValueError as exc:
            raise ConfigError(f"{config.source}: key '{key}': {exc}") from None
