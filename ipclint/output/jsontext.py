"""JSON text of a report, made in C by msgspec: the same text as the standard library's."""
from __future__ import annotations

import json
from typing import Any, TextIO

import msgspec


def write_indented(obj: Any, stream: TextIO) -> None:
    """The same text as ``json.dump(obj, stream, indent=2, ensure_ascii=False)`` and a final
    newline (a report of 60,000 findings: 0.15 s instead of about 3 s), written at once."""
    stream.write(_text(obj, 2))
    stream.write("\n")


def one_line(obj: Any) -> str:
    """The same text as ``json.dumps(obj, ensure_ascii=False)``: one line, a space after each
    ``:`` and ``,``."""
    return _text(obj, 0)


def _text(obj: Any, indent: int) -> str:
    """The reports hold no floats, whose spelling would differ; text msgspec cannot encode (a lone
    surrogate) takes the standard library's way."""
    try:
        return msgspec.json.format(msgspec.json.encode(obj), indent=indent).decode()
    except (msgspec.EncodeError, UnicodeEncodeError, TypeError):
        return json.dumps(obj, indent=indent or None, ensure_ascii=False)
