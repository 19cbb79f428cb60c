"""The command line: `ipclint check`, `graph`, `rule` and `lsp`. The only place that exits.

Usage errors are one line on standard error and exit 2; a run that would silently do nothing (no
source file, no rule selected) is an error too. Writing to a closed pipe (`| head`) ends quietly
with the exit code the findings call for.
"""
from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from ipclint.version import __version__

if TYPE_CHECKING:  # pragma: no cover
    from ipclint.config import Config
    from ipclint.model import RunResult
    from ipclint.output.graph import GraphFilter
    from ipclint.output.progress import Tick

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMATS = ("text", "json", "sarif", "github", "html")
SEVERITIES = ("error", "warning", "note")
ROLES = ("main", "preload", "renderer", "shared")


class UsageError(Exception):
    """A bad command line: reported in one line, exit 2."""


class _Formatter(argparse.HelpFormatter):
    """argparse's help formatter, sized as shutil.get_terminal_size sizes it (COLUMNS, else the
    terminal, else 80 columns) without importing shutil, which brings bz2 and lzma with it: argparse
    makes a formatter for every argument it is given, so every run paid for that import."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        if width is None:
            width = _terminal_columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)


def _terminal_columns() -> int:
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns if sys.__stdout__ else 0
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:  # argparse would print the whole usage block
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="ipclint", description="Security linter and static analyzer for Electron IPC code.")
    p.add_argument("--version", action="version", version=f"ipclint {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    c = sub.add_parser("check", help="analyse the project(s) at PATH and report the findings",
                       description="Analyse the Electron project(s) at PATH: the whole project is read so that "
                                   "cross-file rules are right; with explicit files, only their findings are reported.")
    c.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                   help="files or folders to analyse (default: the current folder)")
    c.add_argument("--format", choices=FORMATS, default="text",
                   help="text, json, sarif, github (workflow annotations) or html (one self-contained page) "
                        "(default: text)")
    c.add_argument("--output", metavar="FILE",
                   help="write the report to FILE; a one-line summary goes to standard error "
                        "(default: standard output)")
    c.add_argument("--select", metavar="CODES",
                   help="run only these rules: codes, prefixes (IPC00) or names, comma-separated "
                        "(default: every rule, or the config's select)")
    c.add_argument("--ignore", metavar="CODES",
                   help="do not run these rules, same forms as --select (default: none, or the config's ignore)")
    c.add_argument("--severity", choices=SEVERITIES, default="note",
                   help="show only findings at or above this severity (default: note, every finding)")
    c.add_argument("--fail-on", choices=SEVERITIES, default="warning",
                   help="lowest severity of a shown finding that makes the exit code 1 (default: warning)")
    c.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings (default: off)")
    c.add_argument("--config", metavar="FILE",
                   help="config file to use (default: .ipclint.toml, ipclint.toml, package.json \"ipclint\" "
                        "or pyproject.toml [tool.ipclint] in the project root)")
    c.add_argument("--baseline", metavar="FILE",
                   help="hide the findings recorded in FILE; the summary says how many (default: none)")
    c.add_argument("--write-baseline", metavar="FILE",
                   help="record the current findings to FILE (its folder must exist) and exit 0 (default: none)")
    c.add_argument("--report-unused-suppressions", action="store_true",
                   help="report ipclint-disable comments that hide nothing (default: off)")
    c.add_argument("--jobs", type=_positive, metavar="N",
                   help="parallel worker processes (default: the number of CPUs)")
    c.add_argument("--no-cache", action="store_true", help="neither read nor write the cache (default: cache on)")
    c.add_argument("--cache-dir", metavar="DIR", help="cache folder (default: .ipclint_cache/ in the project root)")
    c.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help="colour in the text report; auto follows NO_COLOR, FORCE_COLOR and whether the output "
                        "is a terminal (default: auto)")
    c.add_argument("--quiet", action="store_true",
                   help="print only the finding lines: no excerpt, help, summary or progress bar (default: off)")
    c.add_argument("--verbose", action="store_true",
                   help="also list every file's role and why, and the skipped files (default: off)")
    c.add_argument("--stats", action="store_true", help="also print parse and cache counts (default: off)")
    g = sub.add_parser("graph", help="print the channel graph (Mermaid, Graphviz dot or JSON)",
                       description="The channel graph: files grouped by role, arrows labelled by channel.")
    g.add_argument("path", nargs="?", default=".", metavar="PATH", help="project folder (default: the current folder)")
    g.add_argument("--format", choices=("mermaid", "dot", "json"), default="mermaid",
                   help="mermaid (renders on GitHub), dot (Graphviz) or json (default: mermaid)")
    g.add_argument("--output", metavar="FILE", help="write the graph to FILE (default: standard output)")
    g.add_argument("--app", metavar="DIR",
                   help="only the files under this app folder, relative to the current folder or the project "
                        "root (default: every app)")
    g.add_argument("--channel", metavar="GLOB", help="only channels matching this glob, e.g. 'settings:*' "
                                                     "(default: every channel)")
    g.add_argument("--role", metavar="ROLES",
                   help="only these roles, comma-separated: main, preload, renderer, shared (default: all)")
    g.add_argument("--include-tests", action="store_true", help="include test code (default: left out)")
    g.add_argument("--no-cache", action="store_true", help="neither read nor write the cache (default: cache on)")
    g.add_argument("--config", metavar="FILE", help="config file to use (default: found in the project root)")
    r = sub.add_parser("rule", help="show a rule's documentation, or list the rules",
                       description="A rule's documentation page; without an argument, the list of rules.")
    r.add_argument("rule", nargs="?", metavar="CODE|NAME", help="a rule code or name (default: list every rule)")
    k = sub.add_parser("clean", help="remove the cache of the project at PATH",
                       description="Remove ipclint's cache folder (.ipclint_cache/ in the project root, or "
                                   "--cache-dir). Only a folder that ipclint tagged as its cache is removed.")
    k.add_argument("path", nargs="?", default=".", metavar="PATH", help="a project folder or file (default: .)")
    k.add_argument("--cache-dir", metavar="DIR", help="the cache folder to remove (default: .ipclint_cache/ "
                                                      "in the project root)")
    sub.add_parser("lsp", help="run the language server on standard input and output (for editors)",
                   description="Speak the Language Server Protocol over stdio: diagnostics for open files "
                               "from the whole-project analysis, refreshed on save.")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if argv is None and "lsp" not in args:
        # a short process that ends by _hard_exit: the cyclic collector would only walk the run's
        # objects once the engine lets it run again (writing the report: 0.03-0.05 s); the
        # language server lives long and keeps it
        gc.disable()
    try:
        code = run(args)
    except KeyboardInterrupt:
        code = EXIT_ERROR
    if argv is None:
        _hard_exit(code)
    return code


def _hard_exit(code: int) -> None:
    """End the process without tearing down the interpreter: the run's facts and project are
    millions of small objects, and freeing them one by one at exit took 0.1-0.2 s of a 1 s run (as
    mypy does, mypy.util.hard_exit). Everything the run writes is written and closed by now (the
    cache, the reports; extraction workers are shut down by the engine); the standard streams are
    flushed here."""
    for flush in (_flush, sys.stderr.flush):  # (a closed pipe on stdout: quieted by _flush)
        try:
            flush()
        except (ValueError, OSError):
            pass
    os._exit(code)


def run(argv: list[str]) -> int:
    parser = _parser()
    try:
        try:
            args = parser.parse_args(argv)
        except UsageError as exc:
            return _error(str(exc))
        except SystemExit as exc:  # --help and --version
            _flush()
            return EXIT_OK if exc.code == 0 else EXIT_ERROR
        if args.command == "check":
            return _check(args)
        if args.command == "graph":
            return _graph(args)
        if args.command == "rule":
            return _rule(args)
        if args.command == "clean":
            return _clean(args)
        if args.command == "lsp":
            from ipclint.lsp import serve
            return serve()
        parser.print_help()
        _flush()
        return EXIT_ERROR
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_OK


def _flush() -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_stdout()


def _quiet_stdout() -> None:
    """The reader has gone (`| head`): send what is left to /dev/null, so that neither this write
    nor the flush at exit raises again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _emit(write: Callable[[], object]) -> None:
    """Write to standard output; a closed pipe is not an error."""
    try:
        write()
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_stdout()


def _error(msg: str) -> int:
    print(f"ipclint: error: {msg}", file=sys.stderr)
    return EXIT_ERROR


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number of workers, got {text!r}")
    return n


def _load(paths: list[str], config_file: str | None) -> Config:
    from ipclint.config import load_config
    from ipclint.discover import find_root
    for p in paths:
        if not Path(p).exists():
            raise FileNotFoundError(f"no such file or folder: {p}")
    root = find_root(Path(paths[0]).resolve())
    return load_config(root, Path(config_file) if config_file else None)


def _codes(text: str | None) -> list[str] | None:
    return None if text is None else [s.strip() for s in text.split(",") if s.strip()]


def _selects_rules(args: argparse.Namespace, config: Config) -> bool:
    """Whether the selection leaves a rule to run (the engine selects the same way); the rules
    are imported only when a selection must be checked against them."""
    select = _codes(args.select) if args.select is not None else config.select
    ignore = _codes(args.ignore) if args.ignore is not None else config.ignore
    if select is not None and len(select) == 0:
        return False
    if not select and not ignore:
        return True  # every rule
    from ipclint.rules import ALL_RULES
    from ipclint.select import selected_rules
    return bool(selected_rules(ALL_RULES, list(select) if select else None, list(ignore) if ignore else None))


def color_choice(flag: str, stream: object) -> bool:
    """--color always/never win; with auto, NO_COLOR (set, not empty) turns colour off, FORCE_COLOR
    (set, not empty) turns it on, and otherwise colour follows whether the stream is a terminal."""
    if flag != "auto":
        return flag == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


def _preflight(args: argparse.Namespace) -> str | None:
    """What is wrong with the command line before anything runs, in one line."""
    if args.select is not None and not _codes(args.select):
        return "--select needs at least one rule code, prefix or name (leave it out to run every rule)"
    if args.write_baseline:
        folder = Path(args.write_baseline).parent
        if not folder.is_dir():
            return f"{args.write_baseline}: cannot write baseline: folder {folder} does not exist"
    from ipclint.discover import is_source
    for p in args.paths:
        if Path(p).is_file() and not is_source(Path(p).name):
            return f"{p}: not a JavaScript, TypeScript or Vue source file"
    return None


def _check(args: argparse.Namespace) -> int:
    from ipclint.baseline import BaselineError
    from ipclint.config import ConfigError
    from ipclint.engine import check, without_gc
    problem = _preflight(args)
    if problem:
        return _error(problem)
    try:
        config = _load(args.paths, args.config)
        if not _selects_rules(args, config):
            return _error("the selection leaves no rule to run (check --select, --ignore and the config's "
                          "select and ignore)")
        # --write-baseline records every current finding, also those an older --baseline hides
        # (the same file for both must not shrink to the new findings only).
        hide = None if args.write_baseline else args.baseline
        with _progress(args) as tick:
            result = check(args.paths, config, select=args.select, ignore=args.ignore, jobs=args.jobs,
                           cache_dir=args.cache_dir, use_cache=not args.no_cache, progress=tick,
                           baseline=hide, report_unused_suppressions=args.report_unused_suppressions)
        if not result.files.analysed:
            return _error(f"no JavaScript, TypeScript or Vue source file found in {' '.join(args.paths)}"
                          f" ({result.files.skipped} skipped; --verbose lists them)")
        if args.write_baseline:
            from ipclint.baseline import write_baseline
            write_baseline(result.findings, Path(args.write_baseline))
            n = len(result.findings)
            _emit(lambda: print(f"wrote {n} finding{'s' if n != 1 else ''} to {args.write_baseline}"))
            return EXIT_ERROR if result.internal_error else EXIT_OK
    except (ConfigError, BaselineError, FileNotFoundError, ValueError) as exc:
        return _error(str(exc))
    from msgspec.structs import replace

    from ipclint.model import Severity
    shown = Severity(args.severity).rank
    result = replace(result, findings=tuple(f for f in result.findings if f.severity.rank >= shown))
    try:
        without_gc(_write_report)(result, args)  # (a report is many small objects, like the facts)
    except OSError as exc:
        return _error(f"{args.output}: cannot write the report: {exc.strerror or exc}")
    if result.internal_error:
        return EXIT_ERROR
    if args.exit_zero:
        return EXIT_OK
    threshold = Severity(args.fail_on).rank
    return EXIT_FINDINGS if any(f.severity.rank >= threshold for f in result.findings) else EXIT_OK


def _reported_files(paths: list[str]) -> int | None:
    n = sum(1 for p in paths if Path(p).is_file())
    return n or None


def _write_report(result: RunResult, args: argparse.Namespace) -> None:
    from ipclint.output.paths import repository_root
    fmt = args.format
    module = importlib.import_module(f"ipclint.output.{fmt}")
    options: dict[str, Any] = {}
    if fmt == "text":
        options = {"quiet": args.quiet, "verbose": args.verbose, "stats": args.stats, "base": os.getcwd(),
                   "reported_files": _reported_files(args.paths)}
    elif fmt in ("github", "sarif"):
        options = {"base": repository_root(result.root)}
    elif fmt == "html":
        options = {"reported": [p for p in args.paths if Path(p).is_file()]}
    if not args.output:
        if fmt == "text":
            options["color"] = color_choice(args.color, sys.stdout)
        _emit(lambda: module.write(result, sys.stdout, **options))
        return
    if fmt == "text":
        options["color"] = args.color == "always"
    with open(args.output, "w", encoding="utf-8", newline="\n") as fh:
        module.write(result, fh, **options)
    if not args.quiet:
        print(_summary_line(result, args.output, _reported_files(args.paths)), file=sys.stderr)


def _summary_line(result: RunResult, output: str, reported: int | None) -> str:
    from ipclint.output.text import plural
    counts = {s: sum(1 for f in result.findings if f.severity.value == s) for s in SEVERITIES}
    parts = ", ".join(plural(n, s) for s, n in counts.items() if n)
    files = (f"{plural(reported, 'file')} reported" if reported else plural(result.files.analysed, "file"))
    hidden = f"; {result.hidden_by_baseline} hidden by the baseline" if result.hidden_by_baseline else ""
    return (f"ipclint: {plural(len(result.findings), 'finding')}{' (' + parts + ')' if parts else ''} in {files}"
            f"{hidden}; report written to {output}")


class _NoProgress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _progress(args: argparse.Namespace) -> AbstractContextManager[Tick | None]:
    """A bar on standard error only when it is a terminal, and not when stdout carries a machine
    format to that same terminal."""
    if args.quiet or (args.format != "text" and not args.output) or not sys.stderr.isatty():
        return _NoProgress()
    from ipclint.output.progress import Progress
    return Progress(sys.stderr, color=color_choice(args.color, sys.stderr))


def _graph(args: argparse.Namespace) -> int:
    from ipclint.engine import check
    from ipclint.output.graph import MERMAID_LIMIT, RENDERERS, GraphFilter, select_view
    try:
        flt = _graph_filter(args)
        config = _load([args.path], args.config)
        result = check([args.path], config, use_cache=not args.no_cache, select=[])
    except UsageError as exc:
        return _error(str(exc))
    except Exception as exc:
        return _error(str(exc))
    if not result.files.analysed or result.graph is None:
        return _error(f"no JavaScript, TypeScript or Vue source file found in {args.path}")
    if flt.app is not None:
        flt = GraphFilter(_app_folder(flt.app, result.root), flt.channel, flt.roles, flt.include_tests)
    view = select_view(result.graph, flt)
    if flt.app is not None and not view.files:
        apps = ", ".join(a or "." for a in result.graph.apps)
        return _error(f"--app {args.app}: no analysed file is under it (apps: {apps})")
    if (flt.channel or flt.roles) and not view.edges:
        return _error("nothing in the channel graph matches the --channel and --role filters")
    text = RENDERERS[args.format](view)
    if args.format == "mermaid" and len(text) > MERMAID_LIMIT:
        print(f"ipclint: warning: the Mermaid graph has {len(text):,} characters; GitHub renders at most "
              f"{MERMAID_LIMIT:,}: narrow it with --app, --channel or --role, or use --format dot",
              file=sys.stderr)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
        except OSError as exc:
            return _error(f"{args.output}: cannot write the graph: {exc.strerror or exc}")
    else:
        _emit(lambda: sys.stdout.write(text))
    return EXIT_OK


def _graph_filter(args: argparse.Namespace) -> GraphFilter:
    from ipclint.model import Role
    from ipclint.output.graph import GraphFilter
    roles: frozenset[Role] = frozenset()
    if args.role is not None:
        names = _codes(args.role) or []
        bad = [n for n in names if n not in ROLES]
        if bad or not names:
            raise UsageError(f"--role: expected some of {', '.join(ROLES)}, got {args.role!r}")
        roles = frozenset(Role(n) for n in names)
    if args.channel is not None and not args.channel.strip():
        raise UsageError("--channel needs a channel name or glob")
    return GraphFilter(app=args.app, channel=args.channel, roles=roles, include_tests=args.include_tests)


def _app_folder(app: str, root: str) -> str:
    """--app as a root-relative folder: a path from the current folder when it exists, else as given."""
    p = Path(app)
    if p.exists():
        full = p.resolve()
        top = Path(root).resolve()
        if full == top:
            return ""
        if top in full.parents:
            return full.relative_to(top).as_posix()
    return app.strip("/").removeprefix("./")


def _clean(args: argparse.Namespace) -> int:
    from ipclint.cache import clean
    from ipclint.discover import find_root
    target = Path(args.path)
    if not target.exists():
        return _error(f"no such file or folder: {args.path}")
    folder = Path(args.cache_dir) if args.cache_dir else find_root(target.resolve()) / ".ipclint_cache"
    if not os.path.lexists(folder):
        print(f"no cache at {folder}")
        return EXIT_OK
    if not clean(folder):
        return _error(f"{folder} is not an ipclint cache folder (no ipclint CACHEDIR.TAG); left alone")
    print(f"removed {folder}")
    return EXIT_OK


def _rule(args: argparse.Namespace) -> int:
    from ipclint.rules import ALL_RULES
    if not args.rule:
        _emit(lambda: print("\n".join(f"{r.code}  {r.name:<26} {r.severity.value:<8} {r.summary}"
                                      for r in ALL_RULES)))
        return EXIT_OK
    want = args.rule.strip()
    found = next((r for r in ALL_RULES if want.upper() == r.code or want.lower() == r.name), None)
    if found is None:
        return _error(f"unknown rule {want!r}; `ipclint rule` lists them")
    from ipclint.output.catalogue import render_rule_page
    page = render_rule_page(found)
    _emit(lambda: print(page))
    return EXIT_OK
