"""The rule framework: a rule is metadata plus a check function whose docstring is its documentation."""
from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import MISSING, Field, dataclass, field, fields
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar, overload

from ipclint.model import Location, Severity, Span, TraceStep

if TYPE_CHECKING:  # pragma: no cover
    from ipclint.link.project import Project

DOCS_BASE = "https://github.com/ipclint/ipclint/blob/main/rules/"


@dataclass(frozen=True, slots=True)
class Hit:
    """What a rule yields; the engine stamps code, severity and fingerprint.

    ``key`` identifies the finding without line numbers (a channel, key or parameter name, the
    enclosing function), so baselines and SARIF fingerprints survive unrelated edits.
    """

    path: str
    span: Span
    message: str
    key: str = ""
    related: tuple[Location, ...] = ()
    trace: tuple[TraceStep, ...] = ()


class RuleOptions(Protocol):
    """A rule's options: a dataclass whose fields are the keys of `[rules.<name>]` (config.py fills
    it from those keys, the catalogue documents its fields)."""

    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]


@dataclass(frozen=True, slots=True)
class Options:
    """Rules without options use this empty options class."""


OptionsT = TypeVar("OptionsT", bound=RuleOptions)
CheckFn = Callable[["Project", OptionsT], Iterator[Hit]]


@dataclass(frozen=True, slots=True)
class Rule(Generic[OptionsT]):
    """A rule's metadata and its check, typed by its options class (``Rule[Any]`` in the registry)."""

    code: str
    name: str
    severity: Severity
    summary: str
    check: CheckFn[OptionsT]
    cwe: tuple[int, ...] = ()
    security_severity: float = 5.0
    # Without options a rule is a Rule[Options]; mypy cannot tie a default to the type parameter.
    options: type[OptionsT] = Options  # type: ignore[assignment]
    tags: tuple[str, ...] = field(default=("security",))
    fix: str = ""  # one line: how to fix a finding (text report `help:`, SARIF help, JSON help)

    @property
    def doc(self) -> str:
        """The rule's documentation: its docstring, with the Options section made from its options
        class (so that every option is documented, with its default)."""
        text = inspect.cleandoc(self.check.__doc__ or "")
        section = options_section(self.options, self.name)
        at = text.find("\n## References")
        return text + "\n\n" + section if at < 0 else text[:at].rstrip() + "\n\n" + section + "\n" + text[at:]

    @property
    def help_uri(self) -> str:
        return f"{DOCS_BASE}{self.code}-{self.name}.md"

    def run(self, project: Project, options: OptionsT | None = None) -> Iterator[Hit]:
        return self.check(project, options if options is not None else self.options())


def option(default: Any, doc: str) -> Any:
    """A field of a rule's options class, with the words that document it on the rule's page."""
    return field(default=default, metadata={"doc": doc})


def options_section(options: type[Any], rule_name: str) -> str:
    """The "## Options" section of a rule's page, from its options dataclass."""
    lines = ["## Options"]
    for f in fields(options):
        default = f.default if f.default is not MISSING else None
        shown = "none" if default in ((), None, "") else (
            ", ".join(f"`{x}`" for x in default) if isinstance(default, tuple) else f"`{default}`".lower())
        kind = "list of strings" if isinstance(default, tuple) else type(default).__name__.replace("bool", "true/false")
        doc = " ".join(str(f.metadata.get("doc", "")).split())
        lines.append(f"- `{f.name.replace('_', '-')}` ({kind}, default: {shown}): {doc}")
    if len(lines) == 1:
        lines.append("None.")
    else:
        lines.append(f"\nSet them in `[rules.{rule_name}]` of `.ipclint.toml` (see docs/configuration.md).")
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class ChannelOptions:
    """Channels a graph rule (IPC010, IPC011) never reports."""

    ignore_channels: tuple[str, ...] = option((), (
        "channel-name patterns (globs, `[\"plugin:*\"]`) never reported, for channels that code outside "
        "the project sends or handles (a plugin, a web page the app loads)."))


def ignored_channel(channel: str | None, options: ChannelOptions) -> bool:
    return channel is not None and any(fnmatchcase(channel, p) for p in options.ignore_channels)


# Without ``options=`` a rule's check takes the empty Options; with it, that class.
@overload
def rule(code: str, name: str, severity: Severity, summary: str, *, cwe: tuple[int, ...] = (),
         security_severity: float = 5.0, tags: tuple[str, ...] = ("security",),
         fix: str = "") -> Callable[[CheckFn[Options]], Rule[Options]]: ...


@overload
def rule(code: str, name: str, severity: Severity, summary: str, *, cwe: tuple[int, ...] = (),
         security_severity: float = 5.0, options: type[OptionsT], tags: tuple[str, ...] = ("security",),
         fix: str = "") -> Callable[[CheckFn[OptionsT]], Rule[OptionsT]]: ...


def rule(code: str, name: str, severity: Severity, summary: str, *, cwe: tuple[int, ...] = (),
         security_severity: float = 5.0, options: type[Any] = Options,
         tags: tuple[str, ...] = ("security",), fix: str = "") -> Callable[[CheckFn[Any]], Rule[Any]]:
    """Decorate a check function ``check(project, options) -> Iterator[Hit]`` into a frozen Rule."""

    def wrap(fn: CheckFn[Any]) -> Rule[Any]:
        return Rule(code=code, name=name, severity=severity, summary=summary, check=fn, cwe=cwe,
                    security_severity=security_severity, options=options, tags=tags, fix=fix)

    return wrap
