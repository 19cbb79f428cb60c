"""SARIF 2.1.0 details on synthetic results: URIs, rule metadata, notifications, determinism."""
from __future__ import annotations

import io
import json
from pathlib import Path
from urllib.parse import unquote

import jsonschema

from ipclint.model import (
    Diagnostic,
    FileCounts,
    Finding,
    Location,
    Role,
    RunResult,
    Severity,
    Span,
    StepKind,
    TraceStep,
)
from ipclint.output import sarif
from ipclint.rules import ALL_RULES

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
ODD = "src/pages/[id] copy #2/100%:ü.tsx"


def _result(errors: tuple[Diagnostic, ...] = (), root: str = "/tmp/my app") -> RunResult:
    f = Finding("IPC010", "unhandled-channel", Severity.ERROR, ODD, Span(4, 3, 4, 30),
                "nothing handles 'a:b'", "f" * 32,
                related=(Location("src/main/ipc.ts", Span(9, 1, 9, 8), "handled at src/main/ipc.ts:9"),),
                trace=(TraceStep(StepKind.SINK, ODD, Span(4, 3, 4, 30), Role.MAIN, "shell.openPath"),))
    g = Finding("IPC003", "magic-channel", Severity.WARNING, "a.js", Span(1, 1, 1, 4), "inline", "e" * 32)
    return RunResult(root, "1.2.3", "31.0.0", (f, g), FileCounts(2, 0, 1), errors, rules_run=("IPC003", "IPC010"))


def test_uris_are_percent_encoded_relative_references() -> None:
    doc = sarif.report(_result((Diagnostic(ODD, "syntax error", "parse", 2, 1),)))
    jsonschema.validate(doc, SCHEMA)
    run = doc["runs"][0]
    res = next(r for r in run["results"] if r["ruleId"] == "IPC010")
    uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "src/pages/%5Bid%5D%20copy%20%232/100%25%3A%C3%BC.tsx" and unquote(uri) == ODD
    flow = res["codeFlows"][0]["threadFlows"][0]["locations"][0]["location"]
    assert flow["physicalLocation"]["artifactLocation"]["uri"] == uri
    note = run["invocations"][0]["toolExecutionNotifications"][0]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == uri
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == "file:///tmp/my%20app/"


def test_plain_paths_are_unchanged() -> None:
    doc = sarif.report(_result())
    res = next(r for r in doc["runs"][0]["results"] if r["ruleId"] == "IPC003")
    assert res["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "a.js", "uriBaseId": "%SRCROOT%"}


def test_rule_descriptors_carry_github_metadata() -> None:
    doc = sarif.report(_result())
    driver = doc["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("ipclint", "1.2.3") and driver["informationUri"]
    by_id = {r["id"]: r for r in driver["rules"]}
    assert set(by_id) == {"IPC003", "IPC010"}
    for rule in ALL_RULES:
        if rule.code not in by_id:
            continue
        d = by_id[rule.code]
        assert d["name"] == rule.name and d["shortDescription"]["text"] == rule.summary
        assert d["help"]["markdown"] == rule.doc and d["helpUri"] == rule.help_uri
        assert d["defaultConfiguration"]["level"] == rule.severity.value
        props = d["properties"]
        assert "security" in props["tags"]
        assert [t for t in props["tags"] if t.startswith("external/cwe/cwe-")] == [f"external/cwe/cwe-{c}" for c in rule.cwe]
        assert isinstance(props["security-severity"], str) and float(props["security-severity"]) == round(
            rule.security_severity, 1)
        assert props["precision"] in ("very-high", "high", "medium", "low")
    for res in doc["runs"][0]["results"]:
        assert driver["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["partialFingerprints"]["ipclint/v1"]


def test_notifications_levels_and_execution_success() -> None:
    errors = (Diagnostic("z.js", "cannot read", "read"), Diagnostic("a.js", "syntax error", "parse", 3, 7),
              Diagnostic("", "rule IPC005 crashed", "internal"))
    doc = sarif.report(RunResult("/r", "1", None, (), FileCounts(), errors, internal_error=True))
    jsonschema.validate(doc, SCHEMA)
    inv = doc["runs"][0]["invocations"][0]
    assert inv["executionSuccessful"] is False
    notes = [(n["level"], n["message"]["text"], n.get("locations")) for n in inv["toolExecutionNotifications"]]
    assert notes[0] == ("error", "rule IPC005 crashed", None)
    assert notes[1][:2] == ("warning", "syntax error")
    assert notes[1][2][0]["physicalLocation"]["region"] == {"startLine": 3, "startColumn": 7}
    assert notes[2][:2] == ("error", "cannot read")


def test_byte_identical_whatever_the_input_order_and_no_timestamps() -> None:
    errs = (Diagnostic("b.js", "x", "parse", 1, 1), Diagnostic("a.js", "y", "suppression", 2, 1))
    a, b = _result(errs), _result(tuple(reversed(errs)))
    b = RunResult(b.root, b.tool_version, b.electron_version, tuple(reversed(b.findings)), b.files, b.errors,
                  rules_run=b.rules_run)
    out_a, out_b = io.StringIO(), io.StringIO()
    sarif.write(a, out_a)
    sarif.write(b, out_b)
    assert out_a.getvalue() == out_b.getvalue()
    keys, todo = set(), [json.loads(out_a.getvalue())]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            keys |= set(node)
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    assert not [k for k in keys if "time" in k.lower()]  # startTimeUtc, endTimeUtc would break byte equality


def test_every_uri_is_an_rfc3986_relative_reference() -> None:
    import re
    # path characters of RFC 3986 (pchar and "/"); a ':' before the first '/' would read as a scheme
    ok = re.compile(r"^[A-Za-z0-9\-._~!$&'()*+,;=@/]*(%[0-9A-F]{2}[A-Za-z0-9\-._~!$&'()*+,;=@/]*)*$")
    paths = [ODD, "a b.js", "c:d/e.ts", "100%.js", "emoji-😀.tsx", "x?y.js", "back\\slash.js"]
    findings = tuple(Finding("IPC003", "magic-channel", Severity.WARNING, p, Span(1, 1, 1, 2), "m", str(i))
                     for i, p in enumerate(paths))
    doc = sarif.report(RunResult("/r", "1", None, findings, FileCounts(), ()))
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"]]
    assert all(ok.match(u) for u in uris), uris
    assert sorted(unquote(u) for u in uris) == sorted(paths)
