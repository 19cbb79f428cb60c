"""The command line: `ipclint check`, `ipclint graph`, `ipclint rule`. The only place that exits."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from ipclint import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMATS = ("text", "json", "sarif", "github")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ipclint", description="Security linter for Electron IPC code.")
    p.add_argument("--version", action="version", version=f"ipclint {__version__}")
    sub = p.add_subparsers(dest="command")
    c = sub.add_parser("check", help="analyse the project(s) at PATH (default: .)")
    c.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    c.add_argument("--format", choices=FORMATS, default="text")
    c.add_argument("--output", metavar="FILE")
    c.add_argument("--select", metavar="CODES")
    c.add_argument("--ignore", metavar="CODES")
    c.add_argument("--fail-on", choices=("error", "warning", "note"), default="warning")
    c.add_argument("--exit-zero", action="store_true")
    c.add_argument("--config", metavar="FILE")
    c.add_argument("--baseline", metavar="FILE")
    c.add_argument("--write-baseline", metavar="FILE")
    c.add_argument("--report-unused-suppressions", action="store_true")
    c.add_argument("--jobs", type=_positive, metavar="N")
    c.add_argument("--no-cache", action="store_true")
    c.add_argument("--cache-dir", metavar="DIR")
    c.add_argument("--quiet", action="store_true")
    c.add_argument("--verbose", action="store_true")
    c.add_argument("--stats", action="store_true")
    g = sub.add_parser("graph", help="print the channel graph")
    g.add_argument("path", nargs="?", default=".")
    g.add_argument("--format", choices=("mermaid", "dot", "json"), default="mermaid")
    g.add_argument("--output", metavar="FILE")
    g.add_argument("--no-cache", action="store_true")
    g.add_argument("--config", metavar="FILE")
    r = sub.add_parser("rule", help="show a rule's documentation, or list the rules")
    r.add_argument("rule", nargs="?", metavar="CODE|NAME")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = run(list(sys.argv[1:] if argv is None else argv))
    except KeyboardInterrupt:
        code = EXIT_ERROR
    if argv is None:
        sys.exit(code)
    return code


def run(argv: list[str]) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_OK if exc.code == 0 else EXIT_ERROR
    if args.command == "check":
        return _check(args)
    if args.command == "graph":
        return _graph(args)
    if args.command == "rule":
        return _rule(args)
    parser.print_help()
    return EXIT_ERROR


def _error(msg: str) -> int:
    print(f"ipclint: error: {msg}", file=sys.stderr)
    return EXIT_ERROR


def _load(args):
    from ipclint.discover import find_root
    paths = [Path(p) for p in (args.paths if hasattr(args, "paths") else [args.path])]
    for p in paths:
        if not p.exists():
            raise FileNotFoundError(f"no such file or folder: {p}")
    from ipclint.config import load_config
    root = find_root(paths[0].resolve())
    return load_config(root, Path(args.config) if args.config else None)


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number of workers, got {text!r}")
    return n


def _check(args) -> int:
    from ipclint.engine import check
    from ipclint.baseline import BaselineError
    from ipclint.config import ConfigError
    try:
        config = _load(args)
        progress = _progress_factory(args)
        # --write-baseline records every current finding, also those an older --baseline hides
        # (the same file for both must not shrink to the new findings only).
        hide = None if args.write_baseline else args.baseline
        with progress as tick:
            result = check(args.paths, config, select=args.select, ignore=args.ignore, jobs=args.jobs,
                           cache_dir=args.cache_dir, use_cache=not args.no_cache, progress=tick,
                           baseline=hide, report_unused_suppressions=args.report_unused_suppressions)
        if args.write_baseline:
            from dataclasses import replace
            from ipclint.baseline import filter_baseline, load_baseline, write_baseline
            old = load_baseline(Path(args.baseline)) if args.baseline else None
            write_baseline(result.findings, Path(args.write_baseline))
            if old is not None:
                result = replace(result, findings=filter_baseline(result.findings, old))
    except (ConfigError, BaselineError, FileNotFoundError, ValueError) as exc:
        return _error(str(exc))
    try:
        _write_report(result, args)
    except OSError as exc:
        return _error(f"{args.output}: cannot write the report: {exc.strerror or exc}")
    if result.internal_error:
        return EXIT_ERROR
    if args.exit_zero:
        return EXIT_OK
    from ipclint.model import Severity
    threshold = Severity(args.fail_on).rank
    return EXIT_FINDINGS if any(f.severity.rank >= threshold for f in result.findings) else EXIT_OK


def _write_report(result, args) -> None:
    fmt = args.format
    module = __import__(f"ipclint.output.{fmt}", fromlist=["write"])
    options = {"quiet": args.quiet, "verbose": args.verbose, "stats": args.stats} if fmt == "text" else {}
    if not args.output:
        module.write(result, sys.stdout, **options)
        return
    if fmt == "text":
        options["color"] = False
    with open(args.output, "w", encoding="utf-8", newline="\n") as fh:
        module.write(result, fh, **options)
    if not args.quiet:
        print(_summary_line(result, args.output), file=sys.stderr)


def _summary_line(result, output: str) -> str:
    counts = {s: sum(1 for f in result.findings if f.severity.value == s) for s in ("error", "warning", "note")}
    parts = ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items() if n)
    return (f"ipclint: {len(result.findings)} finding{'s' if len(result.findings) != 1 else ''}"
            f"{' (' + parts + ')' if parts else ''} in {result.files.analysed} files; report written to {output}")


class _NoProgress:
    def __enter__(self):
        return None

    def __exit__(self, *exc) -> None:
        return None


def _progress_factory(args):
    if args.quiet or args.format != "text" and not args.output or not sys.stderr.isatty():
        return _NoProgress()
    from ipclint.output.progress import Progress
    return Progress()


def _graph(args) -> int:
    from ipclint.engine import check
    from ipclint.output.graph import WRITERS
    try:
        config = _load(args)
        result = check([args.path], config, use_cache=not args.no_cache, select=[], need_project=True)
    except (FileNotFoundError, ValueError) as exc:
        return _error(str(exc))
    except Exception as exc:  # noqa: BLE001 - ConfigError and friends
        return _error(str(exc))
    project = result.extra["project"]
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8", newline="\n") as fh:
                WRITERS[args.format](project, fh)
        except OSError as exc:
            return _error(f"{args.output}: cannot write the graph: {exc.strerror or exc}")
    else:
        WRITERS[args.format](project, sys.stdout)
    return EXIT_OK


def _rule(args) -> int:
    from ipclint.rules import ALL_RULES
    if not args.rule:
        for r in ALL_RULES:
            print(f"{r.code}  {r.name:<26} {r.severity.value:<8} {r.summary}")
        return EXIT_OK
    want = args.rule.strip()
    for r in ALL_RULES:
        if want.upper() == r.code or want.lower() == r.name:
            from ipclint.output.catalogue import render_rule_page
            print(render_rule_page(r))
            return EXIT_OK
    return _error(f"unknown rule {want!r}; `ipclint rule` lists them")
