"""Reports: JSON exactly as SPEC §4, SARIF valid against the 2.1.0 schema, GitHub annotations, text."""
from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pytest

from ipclint.cli import run
from ipclint.engine import check
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
from ipclint.output import github, sarif, text
from ipclint.output import json as json_out
from ipclint.output.words import finding_dict
from tests.helpers import write_project

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
APP = {
    "main.js": """
        const { ipcMain } = require('electron')
        ipcMain.handle('data:save', (_e, v) => v)
        ipcMain.on('sync:get', (e) => { e.returnValue = 1 })
        """,
    "renderer.js": """
        const { ipcRenderer } = require('electron')
        ipcRenderer.invoke('data:sav', 1)
        ipcRenderer.sendSync('sync:get')
        """,
    "broken.js": "const { ipcMain } = require('electron')\nfunction (\n",
}


def validate_sarif(doc: dict) -> None:
    jsonschema.validate(doc, SCHEMA)


def _result(tmp_path: Path) -> RunResult:
    return check([str(write_project(tmp_path, APP))], use_cache=False, jobs=1)


def test_json_report_shape(tmp_path: Path) -> None:
    r = _result(tmp_path)
    out = io.StringIO()
    json_out.write(r, out)
    doc = json.loads(out.getvalue())
    assert list(doc) == ["version", "tool", "root", "electron_version", "findings", "files", "errors"]
    assert doc["version"] == 1 and doc["tool"]["name"] == "ipclint" and doc["electron_version"] == "31.0.0"
    f = next(x for x in doc["findings"] if x["rule"] == "IPC010")
    assert list(f)[:11] == ["rule", "name", "severity", "path", "line", "column", "end_line", "end_column",
                            "message", "fingerprint", "related"] or list(f)[:10] == [
        "rule", "name", "severity", "path", "line", "column", "end_line", "end_column", "message", "fingerprint"]
    assert (f["path"], f["line"], f["column"]) == ("renderer.js", 2, 1)
    keys = [(x["path"], x["line"], x["column"], x["rule"]) for x in doc["findings"]]
    assert keys == sorted(keys)
    assert doc["files"] == {"analysed": 3, "skipped": 0, "with_parse_errors": 1}
    assert any(e["path"] == "broken.js" for e in doc["errors"])
    again = io.StringIO()
    json_out.write(_result(tmp_path), again)
    assert json.loads(again.getvalue())["findings"] == doc["findings"]


def test_sarif_is_valid_and_complete(tmp_path: Path) -> None:
    r = _result(tmp_path)
    doc = sarif.report(r)
    validate_sarif(doc)
    run_ = doc["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    assert all("security" in x["properties"]["tags"] and x["helpUri"] and x["help"]["markdown"] for x in rules)
    assert all(any(t.startswith("external/cwe/cwe-") for t in x["properties"]["tags"]) for x in rules)
    res = run_["results"]
    assert {x["ruleId"] for x in res} >= {"IPC010", "IPC009"}
    for x in res:
        assert rules[x["ruleIndex"]]["id"] == x["ruleId"]
        loc = x["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uriBaseId"] == "%SRCROOT%" and not loc["artifactLocation"]["uri"].startswith("/")
        assert "ipclint/v1" in x["partialFingerprints"]
    assert run_["invocations"][0]["toolExecutionNotifications"]
    assert run_["originalUriBaseIds"]["%SRCROOT%"]["uri"].endswith("/")


def test_sarif_code_flows_and_related_locations_validate() -> None:
    span = Span(3, 5, 3, 20)
    f = Finding("IPC006", "tainted-sink", Severity.ERROR, "src/main/ipc.ts", span, "renderer data reaches shell.openExternal",
                "abc", related=(Location("src/preload/index.ts", Span(2, 1, 2, 9), "invoked at src/preload/index.ts:2"),),
                trace=(TraceStep(StepKind.SEND, "src/renderer/app.ts", Span(1, 1, 1, 5), Role.RENDERER, "link:open",
                                 "invoke"),
                       TraceStep(StepKind.HANDLER_PARAMETER, "src/main/ipc.ts", Span(2, 30, 2, 33), Role.MAIN, "url"),
                       TraceStep(StepKind.SINK, "src/main/ipc.ts", span, Role.MAIN, "shell.openExternal")))
    r = RunResult("/tmp/x", "0.1.0", None, (f,), FileCounts(1, 0, 0),
                  (Diagnostic("src/a.js", "syntax error", "parse", 3, 4),), rules_run=("IPC006",))
    doc = sarif.report(r)
    validate_sarif(doc)
    res = doc["runs"][0]["results"][0]
    assert [loc["location"]["physicalLocation"]["artifactLocation"]["uri"]
            for loc in res["codeFlows"][0]["threadFlows"][0]["locations"]] == [
        "src/renderer/app.ts", "src/main/ipc.ts", "src/main/ipc.ts"]
    assert res["relatedLocations"][0]["id"] == 1
    assert [loc["location"]["message"]["text"] for loc in res["codeFlows"][0]["threadFlows"][0]["locations"]] == [
        "renderer invoke 'link:open'", "handler parameter 'url'", "reaches shell.openExternal"]


def test_github_annotations_escape() -> None:
    f = Finding("IPC010", "unhandled-channel", Severity.ERROR, "a,b:c.js", Span(1, 2, 1, 3), "50% done\nnext", "x")
    r = RunResult("/tmp", "0", None, (f,), FileCounts(), ())
    out = io.StringIO()
    github.write(r, out)
    assert out.getvalue() == ("::error file=a%2Cb%3Ac.js,line=1,col=2,endLine=1,endColumn=3,"
                              "title=IPC010 unhandled-channel::50%25 done%0Anext\n")


def test_text_report_plain_when_not_a_terminal(tmp_path: Path) -> None:
    r = _result(tmp_path)
    out = io.StringIO()
    text.write(r, out, verbose=True)
    s = out.getvalue()
    assert "\x1b[" not in s
    assert "renderer.js:2:1: IPC010 [error] unhandled-channel" in s
    assert "    2 | ipcRenderer.invoke('data:sav', 1)" in s
    assert "did you mean 'data:save'" in s
    assert "main      main.js" in s
    assert "broken.js:2:1: parse:" in s or "broken.js:2" in s


def test_cli_exit_codes_and_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_project(tmp_path / "p", APP)
    assert run(["check", str(root), "--no-cache", "--format", "json"]) == 1
    json.loads(capsys.readouterr().out)
    assert run(["check", str(root), "--no-cache", "--exit-zero"]) == 0
    capsys.readouterr()
    assert run(["check", str(root), "--no-cache", "--select", "IPC009", "--fail-on", "error"]) == 0
    capsys.readouterr()
    assert run(["check", str(root), "--no-cache", "--select", "IPC010", "--fail-on", "error"]) == 1
    capsys.readouterr()
    assert run(["check", str(root), "--no-cache", "--select", "IPC999"]) == 2
    assert "IPC999" in capsys.readouterr().err
    out = tmp_path / "r.sarif"
    assert run(["check", str(root), "--no-cache", "--format", "sarif", "--output", str(out)]) == 1
    validate_sarif(json.loads(out.read_text()))
    assert "report written to" in capsys.readouterr().err


def test_python_api_matches_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import ipclint
    root = write_project(tmp_path / "p", APP)
    api = ipclint.check([str(root)], use_cache=False)
    assert run(["check", str(root), "--no-cache", "--format", "json"]) == 1
    cli = json.loads(capsys.readouterr().out)
    assert [finding_dict(f) for f in api.findings] == cli["findings"]


def test_missing_config_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_project(tmp_path / "p", APP)
    assert run(["check", str(root), "--no-cache", "--config", str(tmp_path / "nope.toml")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nope.toml" in err[0] and "cannot read" in err[0]


def _text(tmp_path: Path, files: dict[str, bytes], findings: tuple[Finding, ...], **opts) -> str:
    for rel, data in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    r = RunResult(str(tmp_path), "1", None, findings, FileCounts(len(files), 0, 0),
                  (Diagnostic("src/pages/[slug].vue", "syntax error near [/x]", "parse", 1, 1),))
    out = io.StringIO()
    text.write(r, out, **opts)
    return out.getvalue()


def test_text_brackets_are_text_not_markup(tmp_path: Path) -> None:
    path = "src/pages/[id].tsx"
    f = Finding("IPC003", "magic-channel", Severity.WARNING, path, Span(1, 1, 1, 4), "channel 'a[b]' [/bold]", "x",
                related=(Location("src/[...all].ts", Span(2, 1, 2, 2), ""),),
                trace=(TraceStep(StepKind.HANDLER_PARAMETER, "src/[x].ts", Span(3, 1, 3, 2), Role.MAIN, "[here]"),))
    s = _text(tmp_path, {path: b"ipc('a[b]')\n"}, (f,), verbose=True)
    assert "src/pages/[id].tsx:1:1: IPC003 [warning] magic-channel: channel 'a[b]' [/bold]" in s
    assert "(src/[...all].ts:2)" in s and "src/[x].ts:3:1 handler parameter '[here]'" in s
    assert "src/pages/[slug].vue:1:1: parse: syntax error near [/x]" in s


def test_text_excerpt_lines_and_carets_match_tree_sitter_rows(tmp_path: Path) -> None:
    # a form feed and U+2028 are not line breaks for tree-sitter; a BOM is blanked into three columns
    src = "\ufeff// header\x0c page\n// \u2028 sep\r\nconst x = send('ch')\x1b\n".encode()
    f = Finding("IPC003", "magic-channel", Severity.WARNING, "a.js", Span(3, 16, 3, 20), "inline", "x")
    g = Finding("IPC003", "magic-channel", Severity.WARNING, "a.js", Span(1, 7, 1, 13), "inline", "y")
    s = _text(tmp_path, {"a.js": src}, (f, g))
    assert "\x1b" not in s
    lines = s.splitlines()
    third = lines.index("    3 | const x = send('ch') ")
    assert lines[third + 1] == " " * len("    3 | ") + " " * 15 + "^^^^"
    first = lines.index("    1 |    // header  page")
    assert lines[first + 1] == " " * len("    1 | ") + " " * 6 + "^" * 6


def test_text_quiet_prints_only_finding_lines(tmp_path: Path) -> None:
    f = Finding("IPC009", "sync-ipc", Severity.WARNING, "a.js", Span(1, 1, 1, 4), "sendSync blocks", "x")
    assert _text(tmp_path, {"a.js": b"x()\n"}, (f,), quiet=True) == "a.js:1:1: IPC009 [warning] sync-ipc: sendSync blocks\n"


def test_github_reports_every_diagnostic_next_to_its_file() -> None:
    errors = (Diagnostic("a.js", "syntax error", "parse", 3, 1),
              Diagnostic("b,1.js", "suppression names an unknown rule 'IPC777'", "suppression", 4, 9),
              Diagnostic("c.js", "binary file, not analysed", "binary"),
              Diagnostic("", "rule IPC005 crashed: KeyError: 'x'", "internal"))
    out = io.StringIO()
    github.write(RunResult("/tmp", "0", None, (), FileCounts(), errors), out)
    assert out.getvalue() == (
        "::error title=ipclint internal error::rule IPC005 crashed: KeyError: 'x'\n"
        "::notice file=a.js,line=3,col=1,title=ipclint parse::syntax error\n"
        "::warning file=b%2C1.js,line=4,col=9,title=ipclint suppression::"
        "suppression names an unknown rule 'IPC777'\n"
        "::notice file=c.js,title=ipclint binary::binary file, not analysed\n")


def test_json_exact_bytes_on_a_synthetic_result() -> None:
    f1 = Finding("IPC010", "unhandled-channel", Severity.ERROR, "src/preload/index.ts", Span(6, 39, 6, 79),
                 "invoke of 'note:sav' is never handled", "ab" * 16,
                 related=(Location("src/main/ipc.ts", Span(41, 3, 41, 20), "did you mean 'note:save'"),))
    f0 = Finding("IPC003", "magic-channel", Severity.WARNING, "src/main/ipc.ts", Span(2, 1, 2, 5), "inline ü", "cd" * 16)
    errs = (Diagnostic("z.js", "cannot read", "read"), Diagnostic("b.js", "syntax error", "parse", 3, 1))
    r = RunResult("/abs/project", "1.2.3", "31.2.0", (f1, f0), FileCounts(7, 2, 1), errs)
    out = io.StringIO()
    json_out.write(r, out)
    assert out.getvalue() == '''{
  "version": 1,
  "tool": {
    "name": "ipclint",
    "version": "1.2.3"
  },
  "root": "/abs/project",
  "electron_version": "31.2.0",
  "findings": [
    {
      "rule": "IPC003",
      "name": "magic-channel",
      "severity": "warning",
      "path": "src/main/ipc.ts",
      "line": 2,
      "column": 1,
      "end_line": 2,
      "end_column": 5,
      "message": "inline ü",
      "fingerprint": "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
    },
    {
      "rule": "IPC010",
      "name": "unhandled-channel",
      "severity": "error",
      "path": "src/preload/index.ts",
      "line": 6,
      "column": 39,
      "end_line": 6,
      "end_column": 79,
      "message": "invoke of 'note:sav' is never handled",
      "fingerprint": "abababababababababababababababab",
      "related": [
        {
          "path": "src/main/ipc.ts",
          "line": 41,
          "column": 3,
          "message": "did you mean 'note:save'"
        }
      ]
    }
  ],
  "files": {
    "analysed": 7,
    "skipped": 2,
    "with_parse_errors": 1
  },
  "errors": [
    {
      "path": "b.js",
      "message": "syntax error",
      "line": 3,
      "column": 1
    },
    {
      "path": "z.js",
      "message": "cannot read"
    }
  ]
}
'''


def test_report_json_text_is_the_standard_librarys() -> None:
    """write_indented and one_line (msgspec, C) write what json.dump(indent=2 or none, ensure_ascii=False) writes,
    also for control characters, non-ASCII, empty containers and a lone surrogate (fallback)."""
    import io
    import json

    from ipclint.output.jsontext import one_line, write_indented
    for obj in [{"a": [], "b": {}, "c": "é\u2028\x00\x1b\x7f\t\"\\/<", "d": None, "e": [1, {"f": [True, False]}]},
                {"k": "\ud800"}, [], {}, [[]], {"g": -3, "h": {"i": {}}}]:
        ours = io.StringIO()
        write_indented(obj, ours)
        assert ours.getvalue() == json.dumps(obj, indent=2, ensure_ascii=False) + "\n"
        assert one_line(obj) == json.dumps(obj, ensure_ascii=False)


@pytest.mark.parametrize("color", [False, True])
def test_text_lines_written_directly_are_what_rich_prints(color: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    # Plain output writes printable lines itself (rich costs about 80 us a line); every other line,
    # and every line on a terminal, goes through rich: the text must be the same either way.
    import itertools

    import rich.style
    from rich.style import Style
    from rich.text import Text

    from ipclint.output.text import _console, _Lines
    lines = ["plain", "", "  trailing  ", "[bold]not markup[/bold] :smile:", "tab\there", "cr\rlf", "ff\x0cbell\x07",
             "esc \x1b[31m", "wide 漢字 and é", "sep\u2028para", "two\nlines", "x" * 300, "nbsp\xa0"]
    # the report's styles, and hyperlinks (OSC 8; the report has none today): rich numbers each
    # hyperlink it prints from one counter, so a line with one goes through rich (the test starts
    # both runs from the same number)
    styles = ["bold", "bold red", "yellow", "cyan", "dim", "bold underline", "",
              "link https://example.com/rules/IPC006", "dim link file:///src/pages/[id].tsx"]
    for style in styles:
        Style.parse(style)  # (parsed once, and numbered then)
    direct, through = io.StringIO(), io.StringIO()
    out = _Lines(_console(direct, color), direct)
    con = _console(through, color)
    monkeypatch.setattr(rich.style, "_id_generator", itertools.count())
    for line in lines:
        out.print(line)
        for style in styles:
            out.print((line, style), line, ("", style), (line, style), (line, style))
    out.flush()
    monkeypatch.setattr(rich.style, "_id_generator", itertools.count())
    for line in lines:
        con.print(Text(line))
        for style in styles:
            con.print(Text.assemble((line, style), line, ("", style), (line, style), (line, style)))
    assert direct.getvalue() == through.getvalue()
    assert ("\x1b]8;id=" in direct.getvalue()) == color


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


_TERMINAL_ENV = ("TERM", "COLORTERM", "COLUMNS", "NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE")


@pytest.mark.parametrize("terminal,color,env", [
    (False, False, {}),
    (False, True, {"TERM": "xterm-256color"}),
    (False, True, {"COLORTERM": "truecolor"}),
    (False, True, {"TERM": "dumb"}),  # a terminal without colour: rich writes no escape sequences
    (True, None, {"TERM": "xterm", "COLUMNS": "20"}),  # narrower than most lines: never wrapped
    (True, None, {"TERM": "xterm", "COLUMNS": "0"}),  # no column at all: rich prints nothing
    (True, False, {"TERM": "xterm", "COLUMNS": "20"}),  # --color never on a terminal
    (True, False, {"TERM": "xterm", "COLUMNS": "0"}),
])
def test_text_report_written_directly_is_what_rich_prints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          terminal: bool, color: bool | None,
                                                          env: dict[str, str]) -> None:
    # Lines of printable text are written directly, styled ones between escape sequences made once per
    # style; the bytes must be rich's, for every severity's style, traces, related locations, help,
    # non-ASCII, wide and tricky text (which goes through rich), with and without colour.
    from ipclint.model import FileInfo
    for name in _TERMINAL_ENV:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    files = {"src/main/ipc.ts": "const { ipcMain, shell } = require('electron')\n"
                                "ipcMain.handle('link:open', (e, url) => shell.openExternal(url))\n"
                                "\tsend('漢字 é', x)\x1b[31m\x0c // ✓ 😀" + "y" * 250 + "\n",
             "src/pages/[id].tsx": "ipc('a[b]') // [bold]not markup[/bold] :smile:\r\n"}
    for rel, data in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(data, encoding="utf-8")
    step = TraceStep(StepKind.SEND, "src/renderer/app.ts", Span(1, 1, 1, 5), Role.RENDERER, "link:open", "invoke")
    findings = (
        Finding("IPC006", "tainted-sink", Severity.ERROR, "src/main/ipc.ts", Span(2, 41, 2, 64),
                "renderer data reaches shell.openExternal", "a",
                related=(Location("src/preload/index.ts", Span(2, 1, 2, 9), "invoked at src/preload/index.ts:2"),
                         Location("src/[...all].ts", Span(3, 1, 3, 2), "")),
                trace=(step, TraceStep(StepKind.HANDLER_PARAMETER, "src/main/ipc.ts", Span(2, 30, 2, 33), Role.MAIN,
                                       "url"),
                       TraceStep(StepKind.SINK, "src/main/ipc.ts", Span(2, 41, 2, 64), Role.MAIN, "shell.openExternal")),
                help="validate the URL's scheme and host before opening it"),
        Finding("IPC003", "magic-channel", Severity.WARNING, "src/main/ipc.ts", Span(3, 7, 3, 300),
                "channel '漢字 é' (wide)\tand a tab", "b"),
        Finding("IPC009", "sync-ipc", Severity.NOTE, "src/main/ipc.ts", Span(2, 1, 2, 8), "nbsp\xa0and\u2028sep", "c",
                help="an\x1b[31mescape"),
        Finding("IPC003", "magic-channel", Severity.WARNING, "src/pages/[id].tsx", Span(1, 5, 1, 10),
                "channel 'a[b]' [/bold] :smile:\nsecond line\rcr", "d"),
        Finding("IPC010", "unhandled-channel", Severity.ERROR, "src/ümlaut/ä.js", Span(9, 1, 9, 4), "no such file", "e"),
    )
    r = RunResult(str(tmp_path), "1", "31.0.0", findings, FileCounts(3, 1, 1),
                  (Diagnostic("src/pages/[slug].vue", "syntax error near [/x]", "parse", 1, 1),
                   Diagnostic("", "rule crashed: KeyError: 'é'", "internal")),
                  roles=(FileInfo("src/main/ipc.ts", Role.MAIN, "package.json main"),),
                  skipped=(("vendor/x.min.js", "minified"),), hidden_by_baseline=2)

    def report(**opts) -> str:
        out = _Terminal() if terminal else io.StringIO()
        text.write(r, out, color=color, **opts)
        return out.getvalue()

    direct = [report(verbose=True), report(quiet=True)]
    monkeypatch.setattr(text._Lines, "_direct", lambda self, pieces: None)  # every line through rich
    assert direct == [report(verbose=True), report(quiet=True)]
    if color is not False and env.get("TERM") != "dumb" and env.get("COLUMNS") != "0":
        assert "\x1b[1;31mIPC006\x1b[0m" in direct[0] and "\x1b[33mIPC003\x1b[0m" in direct[0]
        assert "\x1b[36mIPC009\x1b[0m" in direct[0] and "\x1b[2m      docs: " in direct[0]
