"""handlerflow searches a function's parameter reads after its parameter list only when the head
holds nothing but names (handlerflow._reads_from): a head with types, defaults or decorators is
searched whole, because it can read a parameter."""
from __future__ import annotations

from ipclint.extract.extract import extract


def _reads(src: bytes, path: str = "main.ts") -> dict[str | None, list[tuple[str, str, int]]]:
    facts = extract(path, src)
    return {fn.name: [(o.name, o.role, o.span.column) for o in fn.flow.occs] if fn.flow else [] for fn in facts.functions}


def test_a_plain_head_holds_no_reads() -> None:
    reads = _reads(b"const { shell } = require('electron')\nconst h = (e, p) => shell.openExternal(p)\n", "main.js")
    assert reads["h"] == [("p", "arg", 40)]


def test_a_type_query_in_the_head_is_still_a_read() -> None:
    reads = _reads(b"function g(x, y: typeof x) { return send(x) }\n")
    assert reads["g"] == [("x", "use", 25), ("x", "arg", 42)]
