"""IPC017's judgements of string tests on URLs, origins and hosts, and IPC007's grouped finding."""
from __future__ import annotations

from pathlib import Path

import pytest

from ipclint.engine import check
from ipclint.link.trust import K
from ipclint.link.urltests import equality, prefix, regex, substring, suffix
from tests.helpers import write_project


@pytest.mark.parametrize(("kind", "s", "weak", "scheme_only"), [
    (K.URL, "https://app.example.com", True, False),
    (K.URL, "https://app.example.com/", False, False),
    (K.URL, "https://app.example.com:8443/", False, False),
    (K.URL, "http://localhost:5173", True, False),
    (K.URL, "app://vault", True, False),
    (K.URL, "https://", True, True),
    (K.URL, "https:", True, True),
    (K.URL, "http", True, True),
    (K.URL, "file://", True, True),
    (K.URL, "file:///", True, True),
    (K.URL, "file:///opt/app/", False, False),
    (K.URL, "about:blank", False, False),
    (K.ORIGIN, "https://pay.example.com", True, False),
    (K.HOST, "app.example.com", True, False),
    (K.PROTOCOL, "https", True, True),
])
def test_prefixes(kind: K, s: str, weak: bool, scheme_only: bool) -> None:
    w = prefix(kind, s)
    assert (w is not None) == weak
    assert w is None or w.scheme_only == scheme_only


def test_suffixes_substrings_and_equality() -> None:
    assert suffix(K.HOST, "example.com") is not None
    assert suffix(K.HOST, ".example.com") is None
    assert suffix(K.URL, "example.com") is not None
    assert suffix(K.URL, "#/settings") is None  # names no host
    assert substring(K.URL, "accounts.example.com") is not None
    assert substring(K.URL, "\0") is None and substring(K.URL, "%00") is None
    assert substring(K.URL, "settings.html") is None  # a page of the app, not a host
    assert substring(K.URL, "app.example.com/settings.html") is not None
    assert substring(K.HOST, "example") is not None
    assert equality(K.ORIGIN, "file://") is not None
    assert equality(K.ORIGIN, "https://app.example.com") is None
    assert equality(K.PROTOCOL, "file:") is not None and equality(K.PROTOCOL, "file:").scheme_only  # type: ignore[union-attr]


@pytest.mark.parametrize(("kind", "pattern", "weak"), [
    (K.URL, r"https:\/\/portal\.example\.com\/", True),  # not anchored at the start
    (K.URL, r"^https:\/\/portal\.example\.com\/", False),  # a prefix closed after the host
    (K.URL, r"^https:\/\/portal\.example\.com", True),  # not anchored at the end
    (K.ORIGIN, r"^https:\/\/portal.example.com$", True),  # unescaped host dot
    (K.ORIGIN, r"^https:\/\/(status|admin)\.example\.com$", False),
    (K.URL, r"^https:\/\/a\.example\.com\/.*$|docs\.example\.com", True),  # an unanchored alternative
    (K.HOST, r"^(www\.)?example\.com", True),
    (K.HOST, r"^(www\.)?example\.com$", False),
    (K.HOST, r"^(www.)?example\.com$", True),
    (K.URL, r"\.pdf$", False),  # names no host
    (K.URL, r"^https?:\/\/", True),  # the scheme only
])
def test_regexes(kind: K, pattern: str, weak: bool) -> None:
    assert (regex(kind, pattern) is not None) == weak


def test_unchecked_wrapper_is_one_finding_with_each_handler_related(tmp_path: Path) -> None:
    root = write_project(tmp_path, {
        "package.json": '{"name": "x", "main": "main.js", "devDependencies": {"electron": "31.0.0"}}',
        "ipc.js": "const { ipcMain } = require('electron')\n"
                  "exports.handle = (ch, fn) => ipcMain.handle(ch, (e, ...a) => fn(...a))\n",
        "main.js": "const { handle } = require('./ipc')\n"
                   "handle('a:one', () => 1)\n"
                   "handle('a:two', () => 2)\n"
                   "handle('a:three', () => 3)\n",
    })
    r = check([str(root)], use_cache=False, jobs=1, select=["IPC007"])
    assert [(f.path, f.span.line) for f in r.findings] == [("ipc.js", 2)]
    f = r.findings[0]
    assert "3 handlers" in f.message
    assert sorted((x.path, x.span.line) for x in f.related) == [("main.js", 2), ("main.js", 3), ("main.js", 4)]
