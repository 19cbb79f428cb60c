"""The words of a report that the model keeps as data: trace steps, and findings as JSON records
(the same dictionaries for --format json, the HTML report and the Python API's users)."""
from __future__ import annotations

from typing import Any

from ipclint.model import Finding, Location, StepKind, TraceStep


def step_message(step: TraceStep) -> str:
    match step.kind:
        case StepKind.BRIDGE_CALL:
            return f"the renderer calls the bridge ({step.role.value if step.role else 'renderer'})"
        case StepKind.PRELOAD_SEND:
            return f"the preload sends '{step.name}'"
        case StepKind.SEND:
            return f"{step.role.value if step.role else 'renderer'} {step.method} '{step.name}'"
        case StepKind.HANDLER_PARAMETER:
            return f"handler parameter '{step.name}'"
        case StepKind.HELPER_CALL:
            return f"passed to {step.name or 'a helper'}()"
        case StepKind.HELPER_PARAMETER:
            return f"helper parameter '{step.name}'"
        case StepKind.HELPER_RESULT:
            return f"returned by {step.name or 'a helper'}()"
        case StepKind.SINK:
            return f"reaches {step.name}"
    return step.kind.value


def step_location(step: TraceStep) -> Location:
    """A step as a location with its words (SARIF thread flows, the editor's related information)."""
    return Location(step.path, step.span, step_message(step))


def location_dict(loc: Location) -> dict[str, Any]:
    return {"path": loc.path, "line": loc.span.line, "column": loc.span.column, "message": loc.message}


def finding_dict(f: Finding) -> dict[str, Any]:
    """A finding as SPEC section 4's JSON record."""
    d: dict[str, Any] = {"rule": f.rule, "name": f.name, "severity": f.severity.value,
                         "path": f.path, "line": f.span.line, "column": f.span.column,
                         "end_line": f.span.end_line, "end_column": f.span.end_column,
                         "message": f.message, "fingerprint": f.fingerprint}
    if f.related:
        d["related"] = [location_dict(loc) for loc in f.related]
    if f.trace:
        d["trace"] = [location_dict(step_location(s)) for s in f.trace]
    if f.help:
        d["help"] = f.help
    return d
