"""What a string test on a URL, origin, host or scheme lets through (IPC017).

Pure functions of the tested kind and the literal tested against: a prefix that stops at the host
(`https://app.example.com` passes `https://app.example.com.evil.net`), a host suffix without a
leading dot, substring tests, regular expressions not anchored at both ends or with an unescaped
`.` in a host name, and tests of the scheme alone. Each verdict is a ``Weakness`` or None (the
test holds).
"""
from __future__ import annotations

import re
from typing import NamedTuple

from ipclint.link.allowlists import split_alternatives
from ipclint.link.trust import K

SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):(//)?(.*)$", re.S)
PORT = re.compile(r":\d+$")
SCHEMES = re.compile(r"[a-z][a-z0-9+.\-|]*:(//)?", re.I)
HOST_CHAR = re.compile(r"[A-Za-z0-9\-)]")
# A needle that names a host (`example.com`, `localhost`, an address, a scheme and host): a test
# for '\0' or '#/settings' in a URL decides nothing about where it comes from.
HOSTLIKE = re.compile(r"[A-Za-z0-9-]\.(?!(?:html?|js|mjs|json|css|png|jpe?g|gif|svg|md|txt|pdf|xml)\b)[A-Za-z]{2,}"
                      r"|localhost|\d+\.\d+\.\d+\.\d+|://\w", re.I)


class Weakness(NamedTuple):
    why: str
    scheme_only: bool = False  # a test of the scheme alone: weak only when nothing else is checked


def _scheme_only(s: str) -> Weakness:
    scheme = s.split(":", 1)[0].lower()
    who = "every local file" if scheme.startswith("file") else f"every {scheme or 'such'} page"
    return Weakness(f"tests only the scheme ('{s}'): {who} passes", True)


def prefix(kind: K, s: str) -> Weakness | None:
    """`x.startsWith(s)` (or `x.indexOf(s) === 0`)."""
    if kind == K.HOST:
        return Weakness(f"a prefix of a host name: '{s}.evil.net' passes") if s else None
    if kind == K.PROTOCOL:
        return _scheme_only(s)
    if kind not in (K.URL, K.ORIGIN):
        return None
    m = SCHEME.match(s)
    if m is None:
        low = s.lower()
        return _scheme_only(s) if low and any(x.startswith(low) for x in ("https", "http", "file")) else None
    _scheme, slashes, rest = m.groups()
    if not slashes:
        return _scheme_only(s) if rest in ("", "/") else None  # 'https:'; 'about:blank' is a page
    end = next((i for i, ch in enumerate(rest) if ch in "/?#"), len(rest))
    authority, tail = rest[:end], rest[end:]
    if not authority:
        return _scheme_only(s) if tail in ("", "/") else None  # 'file://'; 'file:///opt/app/' is a folder
    if tail:
        return None  # the host is closed: 'https://app.example.com/'
    example = s + ("0" if PORT.search(authority) else ".evil.net")
    return Weakness(f"the prefix '{s}' has no '/' after the host: '{example}' passes")


def suffix(kind: K, s: str) -> Weakness | None:
    """`x.endsWith(s)`."""
    if kind == K.HOST:
        return None if s.startswith(".") or not s else Weakness(
            f"a host suffix without a leading dot: 'evil-{s}' passes")
    if not HOSTLIKE.search(s):
        return None
    if kind == K.ORIGIN:
        return Weakness(f"a suffix test on an origin: 'https://evil-{s.rsplit('/', 1)[-1]}' passes")
    if kind == K.URL:
        return Weakness(f"a suffix test on a whole URL: 'https://evil.net/{s.lstrip('/')}' passes")
    return None


def substring(kind: K, s: str) -> Weakness | None:
    """`x.includes(s)`, `x.indexOf(s) !== -1`, `x.search(s)`."""
    if kind == K.PROTOCOL:
        return _scheme_only(s)
    if kind == K.HOST:
        return Weakness(f"a substring test on a host name: '{s}.evil.net' passes")
    if kind in (K.URL, K.ORIGIN) and HOSTLIKE.search(s):
        return Weakness(f"a substring test on a whole URL: 'https://evil.net/?{s}' passes"
                        if kind == K.URL else f"a substring test on an origin: 'https://{s}.evil.net' passes")
    return None


def equality(kind: K, s: str) -> Weakness | None:
    """`x === s`: exact, except that a scheme or the file origin names every page of that scheme."""
    low = s.lower()
    if kind == K.PROTOCOL:
        return _scheme_only(s)
    if kind == K.ORIGIN and low in ("file://", "file:"):
        return Weakness(f"compares the origin with '{s}' alone: every local file passes", True)
    if kind == K.URL and low in ("file://", "file:///", "file:"):
        return _scheme_only(s)
    return None


def regex(kind: K, pattern: str) -> Weakness | None:
    """A regular expression (its source, without slashes and flags) tested against the value."""
    if kind == K.PROTOCOL:
        return Weakness(f"tests only the scheme (/{pattern}/)", True)
    if kind not in (K.URL, K.ORIGIN, K.HOST):
        return None
    plain = _plain(pattern)
    if kind != K.HOST and not HOSTLIKE.search(plain):  # names no host: a scheme test, or not about origins
        return Weakness(f"tests only the scheme (/{pattern}/)", True) if SCHEMES.fullmatch(plain) else None
    for alt in alternatives(pattern):
        if not alt.startswith("^"):
            example = {K.URL: f": 'https://evil.net/?{_plain(alt)}' passes",
                       K.HOST: f": 'evil-{_plain(alt)}' passes"}.get(kind, "")
            return Weakness(f"/{pattern}/ is not anchored at the start{example}")
        closed = alt.endswith("$") and not _escaped(alt, len(alt) - 1)
        if not closed and not (kind == K.URL and _host_closed(alt)):
            return Weakness(f"/{pattern}/ is not anchored at the end: '{_plain(alt)}.evil.net' passes")
    dot = unescaped_host_dot(pattern, kind)
    if dot is not None:
        return Weakness(f"/{pattern}/ leaves the '.' of a host name unescaped: '{dot}' passes")
    return None


def alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a pattern (`a|b` outside groups and classes)."""
    return split_alternatives(pattern)[0]


def _escaped(s: str, i: int) -> bool:
    n = 0
    while i - 1 - n >= 0 and s[i - 1 - n] == "\\":
        n += 1
    return n % 2 == 1


def _after_scheme(alt: str) -> int | None:
    """Where the host starts: after the first `//` (escaped or not); None without one."""
    m = re.search(r"(\\/|/)(\\/|/)", alt)
    return m.end() if m else None


def _host_closed(alt: str) -> bool:
    """An alternative anchored at the start whose host is followed by `/`, `?` or `#`: a prefix
    that ends right after the host, like `startsWith('https://app.example.com/')`."""
    at = _after_scheme(alt)
    if at is None:
        return False
    m = re.search(r"\\/|/|\\\?|#", alt[at:])
    return m is not None and m.start() > 0


def unescaped_host_dot(pattern: str, kind: K) -> str | None:
    """An example host that an unescaped `.` of a host name lets through, or None."""
    for alt in alternatives(pattern):
        start = 0 if kind == K.HOST else (_after_scheme(alt) or 0)
        i, in_class = start, False
        while i < len(alt):
            ch = alt[i]
            if ch == "\\":
                if kind != K.HOST and alt[i + 1:i + 2] == "/":
                    break  # the host ends at the first slash
                i += 2
                continue
            if in_class:
                in_class = ch != "]"
            elif ch == "[":
                in_class = True
            elif ch == "/" and kind != K.HOST:
                break
            elif ch == "." and i > 0 and HOST_CHAR.match(alt[i - 1]) and HOST_CHAR.match(alt[i + 1:i + 2] or "!"):
                return _plain(alt[:i]) + "X" + _plain(alt[i + 1:])
            i += 1
    return None


def _plain(pattern: str) -> str:
    """A readable string a pattern stands for: anchors, groups and escapes dropped."""
    s = re.sub(r"\\(.)", r"\1", pattern)
    return re.sub(r"[\^$()?*+]|\[[^\]]*\]", "", s)[:60]
