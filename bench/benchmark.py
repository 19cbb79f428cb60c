"""Benchmark: cold, warm and one-edit ipclint runs, and bare tree-sitter parsing of the same files
as the floor to compare with (SPEC §7). Not a test.

    python bench/benchmark.py                 # a synthetic monorepo of 10,000 files, 100 MB
    python bench/benchmark.py --files 2000 --size-mb 20   # a quicker look
    python bench/benchmark.py --tree ../apps/mattermost   # a real app (its cache is not touched)
    python bench/benchmark.py --tree DIR --edit src/main/app/initialize.ts

The bare parse parses every file ipclint's discovery keeps, in one process (the floor). The
one-edit runs edit one file (by default the file that mentions ipcMain most) after a warm run and
restore its bytes and mtime afterwards: once a comment line inserted at the top (every line of
the file moves down one, its facts are the same but for their line numbers: the last analysis is
reused with that file's lines renumbered), once a line of code appended (its facts change: that
file is extracted again, the others' facts come from the cache, and the project is linked and
checked again).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMPONENT = """import React, {{ useState, useEffect }} from 'react'
import {{ format{n} }} from '../util/format{u}'

export interface Props{n} {{ id: string; count: number; label?: string }}

export function Widget{n}({{ id, count, label }}: Props{n}) {{
  const [value, setValue] = useState<number>(count)
  useEffect(() => {{
    const t = setTimeout(() => setValue((v) => v + 1), {delay})
    return () => clearTimeout(t)
  }}, [count])
  const items = Array.from({{ length: value % 7 }}, (_, i) => ({{ key: `${{id}}-${{i}}`, text: format{n}(i) }}))
  return (
    <section className="widget-{n}" data-id={{id}}>
      <h2>{{label ?? 'Widget {n}'}}</h2>
      <ul>{{items.map((it) => <li key={{it.key}}>{{it.text}}</li>)}}</ul>
      <button onClick={{() => setValue(value + 1)}}>+</button>
    </section>
  )
}}
"""
UTIL = """export function format{n}(x: number): string {{
  const parts: string[] = []
  for (let i = 0; i < x; i++) {{
    parts.push(String(i * {k}).padStart(3, '0'))
  }}
  return parts.join(':') + '{n}'
}}

export const TABLE_{n} = [{table}] as const
export class Cache{n} {{
  private store = new Map<string, number>()
  get(key: string): number | undefined {{ return this.store.get(key) }}
  set(key: string, value: number): void {{ this.store.set(key, value) }}
}}
"""
PAD = """
/** Helper {k} for module {n}: formats and clamps a value. */
function helper{n}_{k}(input: number, opts: {{ min?: number; max?: number }} = {{}}): string {{
  const min = opts.min ?? 0
  const max = opts.max ?? {b}
  const clamped = Math.min(max, Math.max(min, input * {a}))
  if (Number.isNaN(clamped)) {{
    return 'n/a'
  }}
  return clamped.toFixed(2) + ' / ' + String(max)
}}
"""
CHANNELS = """export const Channels = {{
{entries}
}} as const
"""
MAIN = """import {{ app, BrowserWindow, ipcMain, shell }} from 'electron'
import path from 'node:path'
import {{ Channels }} from '../shared/channels'

function createWindow() {{
  const win = new BrowserWindow({{ webPreferences: {{ preload: path.join(__dirname, '../preload/index.js') }} }})
  win.loadFile('index.html')
  return win
}}

app.whenReady().then(() => {{
{handlers}
  createWindow()
}})
"""
PRELOAD = """import {{ contextBridge, ipcRenderer }} from 'electron'
import {{ Channels }} from '../shared/channels'

contextBridge.exposeInMainWorld('api', {{
{bridge}
}})
"""
RENDERER = """import {{ Widget0 }} from './components/Widget0'

export async function boot{n}() {{
  const r = await window.api.call{n}({n})
  document.title = String(r)
  return Widget0
}}
"""


def generate(root: Path, files: int, size_mb: float, seed: int = 7) -> None:
    rnd = random.Random(seed)
    apps = max(1, files // 1000)
    per_app = files // apps
    target_bytes = size_mb * 1024 * 1024 / files
    for a in range(apps):
        base = root / "packages" / f"app{a}"
        (base / "src").mkdir(parents=True, exist_ok=True)
        (base / "package.json").write_text(json.dumps({"name": f"app{a}", "main": "out/main/index.js",
                                                       "devDependencies": {"electron": "31.2.0"}}))
        n_ch = 20
        _w(base / "src/shared/channels.ts", CHANNELS.format(
            entries="\n".join(f"  CALL{i}: 'app{a}:call{i}'," for i in range(n_ch))))
        _w(base / "src/main/index.ts", MAIN.format(handlers="\n".join(
            f"  ipcMain.handle(Channels.CALL{i}, async (_e, x: number) => x + {i})" for i in range(n_ch))))
        _w(base / "src/preload/index.ts", PRELOAD.format(bridge="\n".join(
            f"  call{i}: (x: number) => ipcRenderer.invoke(Channels.CALL{i}, x)," for i in range(n_ch))))
        made = 3
        i = 0
        while made < per_app:
            kind = i % 10
            if kind < 6:
                text = COMPONENT.format(n=i, u=i, delay=rnd.randint(10, 999))
                path = base / f"src/renderer/components/Widget{i}.tsx"
            elif kind < 9:
                table = ", ".join(str(rnd.randint(0, 10**6)) for _ in range(rnd.randint(20, 80)))
                text = UTIL.format(n=i, k=rnd.randint(2, 99), table=table)
                path = base / f"src/renderer/util/format{i}.ts"
            else:
                text = RENDERER.format(n=i % n_ch)
                path = base / f"src/renderer/boot{i}.ts"
            k = 0
            while len(text) < target_bytes * 0.9:
                text += PAD.format(n=i, k=k, a=rnd.randint(1, 99), b=rnd.randint(100, 10**6))
                k += 1
            _w(path, text)
            made += 1
            i += 1
    # imports of util modules that do not exist are fine: a linter must not care.


def _w(p: Path, text: str) -> None:
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")


def bare_parse(root: Path) -> tuple[float, int, int]:
    code = ("import sys, time, pathlib\n"
            "from ipclint.extract.parse import parse, dialect_for\n"
            "from ipclint.discover import discover\n"
            "d = discover(pathlib.Path(sys.argv[1]))\n"
            "t = time.perf_counter(); n = b = 0\n"
            "for f in d.files:\n"
            "    parse(f.data, dialect_for(f.path)); n += 1; b += len(f.data)\n"
            "print(time.perf_counter() - t, n, b)\n")
    out = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True, check=True,
                         env=CHILD_ENV)
    secs, n, b = out.stdout.split()
    return float(secs), int(n), int(b)


# Child processes run as an installed ipclint does: with compiled bytecode (pip writes .pyc files
# on install; a PYTHONDONTWRITEBYTECODE in the environment would make every run compile the
# package again, about 0.1 s, which no user pays).
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_ipclint(root: Path, cache: Path) -> tuple[float, int, int]:
    """(wall seconds, peak RSS of the child in KiB, facts entries in the cache) of one run of the
    command line, as a user runs it, in a fresh process. After a cold run the facts entries are the
    files it parsed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "ipclint", "check", str(root), "--format", "json",
                           "--cache-dir", str(cache)], capture_output=True, env=CHILD_ENV)
    elapsed = time.perf_counter() - t
    if done.returncode not in (0, 1):  # (1: findings)
        raise SystemExit(f"ipclint failed ({done.returncode}): {done.stderr.decode(errors='replace')[-2000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before), sum(1 for _ in cache.glob("v-*/facts/*/*.msgpack"))


def busiest_main_file(root: Path) -> Path:
    """The source file that mentions ipcMain most (ties: the first path): a typical edit target."""
    from ipclint.discover import discover
    best: tuple[int, str] = (0, "")
    for f in discover(root).files:
        n = (f.data or b"").count(b"ipcMain")
        if n > best[0] or (n == best[0] and n and f.path < best[1]):
            best = (n, f.path)
    if not best[1]:
        raise SystemExit("no file mentions ipcMain: give one with --edit")
    return root / best[1]


COMMENT_EDIT = b"// ipclint benchmark edit\n"  # inserted at the top: every line moves
CODE_EDIT = b"\nexport const ipclintBenchmarkEdit = 1\n"  # appended, a new export: the file's facts change


class Edited:
    """Insert a line at the top of a file (or append it) inside a with-block; restore its bytes and
    mtime after."""

    def __init__(self, path: Path, line: bytes = COMMENT_EDIT, at_top: bool = True) -> None:
        self.path = path
        self.line = line
        self.at_top = at_top
        self.data = path.read_bytes()
        self.stat = path.stat()

    def __enter__(self) -> Edited:
        self.path.write_bytes(self.line + self.data if self.at_top else self.data + self.line)
        return self

    def __exit__(self, *exc: object) -> None:
        self.path.write_bytes(self.data)
        os.utime(self.path, ns=(self.stat.st_atime_ns, self.stat.st_mtime_ns))


# (bare parse s, files, bytes, cold s, files parsed, warm s, comment edit s, code edit s, peak KiB cold, after)
Round = tuple[float, int, int, float, int, float, float, float, int, int]


def _round(tree: Path, cache: Path, edit: Path | None) -> Round:
    """One round: bare parse, cold, warm, a comment edit and a code edit (each a fresh process)."""
    shutil.rmtree(cache, ignore_errors=True)
    parse_s, n, nbytes = bare_parse(tree)
    cold_s, peak1, parsed = run_ipclint(tree, cache)
    warm_s, peak2, _ = run_ipclint(tree, cache)
    edit_s = code_s = 0.0
    if edit is not None:
        with Edited(edit):
            edit_s, peak3, _ = run_ipclint(tree, cache)
        run_ipclint(tree, cache)  # back to the stored state
        with Edited(edit, CODE_EDIT, at_top=False):
            code_s, peak4, _ = run_ipclint(tree, cache)
        peak2 = max(peak2, peak3, peak4)
    return parse_s, n, nbytes, cold_s, parsed, warm_s, edit_s, code_s, peak1, peak2


def measure(tree: Path, cache: Path, edit: Path | None, repeat: int = 1) -> None:
    """Each figure is the best of ``repeat`` rounds, the rounds one after another (a virtual
    machine's speed drifts: one round gives every figure at the same speed)."""
    rounds = [_round(tree, cache, edit) for _ in range(max(1, repeat))]
    parse_s, n, nbytes = min(r[0] for r in rounds), rounds[0][1], rounds[0][2]
    cold_s, parsed = min(r[3] for r in rounds), rounds[0][4]
    warm_s = min(r[5] for r in rounds)
    edit_s = min(r[6] for r in rounds) if edit is not None else None
    code_s = min(r[7] for r in rounds) if edit is not None else None
    peak1, peak2 = max(r[8] for r in rounds), max(r[9] for r in rounds)
    if repeat > 1:
        print(f"(best of {repeat} rounds; cold per round: {', '.join(f'{r[3]:.2f}s' for r in rounds)})")
    mb = nbytes / 1e6
    peak = max(peak1, peak2)
    print(f"tree: {tree} ({n} files, {mb:.1f} MB; {parsed} parsed on the cold run)")
    print(f"bare tree-sitter parse: {parse_s:6.2f}s  {n / parse_s:8.0f} files/s  {mb / parse_s:6.2f} MB/s")
    print(f"ipclint cold:           {cold_s:6.2f}s  {n / cold_s:8.0f} files/s  {mb / cold_s:6.2f} MB/s"
          f"  ({cold_s / parse_s:.2f}x bare parse)")
    print(f"ipclint warm:           {warm_s:6.2f}s  ({100 * warm_s / cold_s:.0f}% of cold)")
    if edit_s is not None:
        where = edit.relative_to(tree) if edit is not None else ""
        print(f"one file edited:        {edit_s:6.2f}s  ({100 * edit_s / cold_s:.0f}% of cold; {where}: "
              "a comment line at the top)")
    if code_s is not None:
        print(f"one file's code edited: {code_s:6.2f}s  ({100 * code_s / cold_s:.0f}% of cold; the same file: "
              "a new export)")
    print(f"peak memory: {peak / 1024:.0f} MB")
    print(f"targets: warm <= 10% of cold and < 0.3 s: {'OK' if warm_s <= min(0.1 * cold_s, 0.3) else 'MISSED'}; "
          + (f"one edit <= 25% of cold: {'OK' if edit_s <= 0.25 * cold_s else 'MISSED'} (comment), "
             f"{'OK' if code_s <= 0.25 * cold_s else 'MISSED'} (code); " if edit_s and code_s else "")
          + f"memory < 1 GB: {'OK' if peak < 1024 * 1024 else 'MISSED'}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=10000, help="synthetic tree: number of files")
    ap.add_argument("--size-mb", type=float, default=100, help="synthetic tree: total size")
    ap.add_argument("--keep", metavar="DIR", help="synthetic tree: generate into DIR and keep it")
    ap.add_argument("--tree", metavar="DIR", help="measure a real app instead of a synthetic tree")
    ap.add_argument("--edit", metavar="FILE", help="the file to edit for the one-edit run (relative to the tree)")
    ap.add_argument("--repeat", type=int, default=1, metavar="N", help="best of N rounds (a real tree: 3 is steadier)")
    args = ap.parse_args()
    if args.tree:
        tree = Path(args.tree).resolve()
        edit = tree / args.edit if args.edit else busiest_main_file(tree)
        cache = Path(tempfile.mkdtemp(prefix="ipclint-bench-cache-"))
        try:
            measure(tree, cache, edit, args.repeat)
        finally:
            shutil.rmtree(cache, ignore_errors=True)
        return
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="ipclint-bench-"))
    tree = work / "tree"
    if tree.exists():
        shutil.rmtree(tree)
    generate(tree, args.files, args.size_mb)
    main_file = next(tree.glob("packages/app0/src/main/index.ts"))
    measure(tree, work / "cache", main_file, args.repeat)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
