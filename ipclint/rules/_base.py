"""The rule framework: a rule is metadata plus a check function whose docstring is its documentation."""
from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import Field, dataclass, field
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
        return inspect.cleandoc(self.check.__doc__ or "")

    @property
    def help_uri(self) -> str:
        return f"{DOCS_BASE}{self.code}-{self.name}.md"

    def run(self, project: Project, options: OptionsT | None = None) -> Iterator[Hit]:
        return self.check(project, options if options is not None else self.options())


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
