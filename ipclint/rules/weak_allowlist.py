from __future__ import annotations

from collections.abc import Iterator

from ipclint.link.allowlists import Weak, weak_check
from ipclint.link.dataflow import DataFunction, page_functions, renderer_functions
from ipclint.link.handlers import handlers
from ipclint.link.project import Project
from ipclint.model import Severity, Span
from ipclint.model.facts import Site
from ipclint.model.values import Index
from ipclint.rules._base import Hit, Options, rule


@rule("IPC018", "weak-allowlist", Severity.ERROR, "A channel or value allowlist that does not restrict",
      cwe=(183, 697), security_severity=7.5,
      fix=("Test membership with a Set's has or an array's includes (or Object.hasOwn on the table), compare "
           "indexOf with -1, and anchor allowlist regular expressions at both ends (/^(a|b)$/)"))
def weak_allowlist(project: Project, options: Options) -> Iterator[Hit]:
    """## What it does
    Flags an allowlist check of renderer data that lets more through than its entries, in a
    main-process handler (or a helper it hands the data to) and in a preload-exposed function
    (a channel guard): `LIST.indexOf(x)` used as a truth value, membership tested on a string
    (`'read write'.includes(x)`, `STR.indexOf(x) !== -1`), `x in OBJ` or a tested lookup
    `OBJ[x]` on a plain object literal (also frozen or `as const`; also kept through a selector
    call: `const fn = select(() => OBJ[x]); if (!fn) throw ...`), and a regular expression of
    literal alternatives used as an allowlist without an anchor at the start
    (`/app:|file:/.test(ch)`, `/(pdf|html)$/`) or with the `m` flag. Such a check is also no
    guard for IPC001 and no validation for IPC005/IPC006. Checks of the app's own data (argv,
    platform, defaults) are not judged, nor a lookup with a default (`LABELS[x] || 'unknown'`),
    which picks a value and refuses nothing, nor a lookup or `in` test on whose result no path
    depends (a cache test whose miss fills the cache: `if (!cache[id]) cache[id] = open(id)`, also
    when its condition tests the entry again: `!node[k] || typeof node[k] !== 'object'`; or a
    flag table whose hit only writes the key back: `if (aborting[id]) aborting[id] = false`), nor a
    denylist, where the value goes on when the test fails (`if (/--inspect|--debug/.test(a))
    return`, `argv.filter((a) => !a.match(/--command-context/))` keeps what does not match): a
    test that matches too much there refuses more, not less.

    ## Why is this bad?
    The check looks like an allowlist but is not one: `indexOf` returns -1 (truthy) for values
    that are not in the list and 0 (falsy) for its first entry; `'app:open app:save'.includes(x)`
    passes `'app:o'` and `' '`; `'constructor' in {}` and `({})['__proto__']` are true, so a
    page reaches handlers and table entries nobody listed; `/app:|file:/` passes
    `'evil:app:x'`. A page that finds the gap drives channels or values the app meant to refuse.

    ## Example
    ```js
    // file: preload.js
    const { contextBridge, ipcRenderer } = require('electron')
    const SEND = ['toMain', 'settings:save']
    contextBridge.exposeInMainWorld('api', {
      send: (channel, data) => {
        if (SEND.indexOf(channel)) ipcRenderer.send(channel, data)
      },
    })
    ```

    ## Use instead
    ```js
    // file: preload.js
    const { contextBridge, ipcRenderer } = require('electron')
    const SEND = new Set(['toMain', 'settings:save'])
    contextBridge.exposeInMainWorld('api', {
      send: (channel, data) => {
        if (SEND.has(channel)) ipcRenderer.send(channel, data)
      },
    })
    ```

    ## References
    - [Electron security: validate the sender and the data of all IPC messages](https://www.electronjs.org/docs/latest/tutorial/security#17-validate-the-sender-of-all-ipc-messages)
    - [CWE-183: Permissive List of Allowed Inputs](https://cwe.mitre.org/data/definitions/183.html)
    - [MDN: Array.prototype.indexOf](https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/Array/indexOf)
    """
    done: set[tuple[str, Span]] = set()
    functions: list[DataFunction] = [df for h in handlers(project) for df in renderer_functions(project, h)]
    functions.extend(page_functions(project))
    for df in functions:
        guarding: set[int] | None = None
        for i, site in enumerate(df.flow.sites):
            if site.kind not in ("check", "lookup") or (df.path, site.span) in done:
                continue
            keys = frozenset(n for n in site.names if n in df.names)
            if not keys:
                continue
            weak = weak_check(project, df.path, df.fid, site, keys)
            if weak is None or (weak is Weak.LOOKUP and not site.truth):
                continue
            if site.denies and weak is not Weak.INDEX_TRUTH:
                continue  # (a denylist that matches too much refuses more: no gap for a page)
            if weak in (Weak.LOOKUP, Weak.IN_OBJECT):
                if guarding is None:
                    guarding = _guarding(df, _table_writes(project, df.path))
                if i not in guarding:
                    continue
            done.add((df.path, site.span))
            name = sorted(keys)[0]
            what = (site.value.text if site.value is not None else "") or "the check"
            yield Hit(df.path, site.span, f"'{name}' is checked with `{_short(what)}`: {weak.value}",
                      key=f"{name}:{weak.name}")


def _guarding(df: DataFunction, writes: dict[str, list[Span]]) -> set[int]:
    """The sites that decide a path: a cache test `if (!cache[x]) fill(x)` does not. A lookup
    whose result alone is used (`const ch = MAP[x]; if (ch) send(ch)`: a "held" gate) does,
    unless the value read later goes on only where it missed (`if (cache[x]) return; load(x)`:
    a hit refuses, so an inherited key lets nothing more through). A read that only writes the
    key back into the looked-up table (`if (flags[x]) flags[x] = false`, `delete pending[x]`)
    goes nowhere beyond it."""
    occs = df.flow.occs
    sites = df.flow.sites
    out: set[int] = {g.site for g in df.flow.gates if g.how != "held"}
    for o in occs:  # a read inside the lookup's own condition (`!c[k] || typeof c[k] !== 'object'`) is part of the test
        out.update(s for s in o.dom
                   if not _inside(o.span, sites[s].test) and not _writes_back(sites[s], o.span, writes))
    for g in df.flow.gates:
        if g.how == "held" and g.site not in out:
            site = df.flow.sites[g.site]
            end = site.span
            if not any(o.name in site.names and (o.span.line, o.span.column) > (end.end_line, end.end_column)
                       for o in occs):
                out.add(g.site)
    return out


def _table_writes(project: Project, path: str) -> dict[str, list[Span]]:
    """The keys written into or deleted from a table in the file (`T[k] = v`, `delete T[k]`): the
    table's text -> the spans of those keys."""
    f = project.files[path]
    out: dict[str, list[Span]] = {}
    for a in (*f.assigns, *f.deletes):
        t = a.target
        if type(t) is Index and t.obj.text:
            out.setdefault(t.obj.text, []).append(t.index.span)
    return out


def _writes_back(site: Site, span: Span, writes: dict[str, list[Span]]) -> bool:
    """``span`` (a read dominated by ``site``) is the key of a write into the table that the
    lookup ``site`` reads."""
    v = site.value
    if site.kind != "lookup" or type(v) is not Index or not v.obj.text:
        return False
    return any(_inside(span, k) for k in writes.get(v.obj.text, ()))


def _inside(span: Span, outer: Span | None) -> bool:
    return outer is not None and (outer.line, outer.column) <= (span.line, span.column) \
        and (span.end_line, span.end_column) <= (outer.end_line, outer.end_column)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."
