"""Facts of every JS/TS file of some apps, as one digest per file: to show that a change to
extraction keeps its output byte for byte. Not a test.

    python bench/factsdiff.py /tmp/before.txt APP...        # with the checkout before the change
    python bench/factsdiff.py /tmp/after.txt APP...         # and after it
    python bench/factsdiff.py --diff /tmp/before.txt /tmp/after.txt

Every file discovery keeps is extracted twice, as a cold run extracts it (``lazy``: flows only
where they are likely read) and with every flow analysed (what ``extract_flows`` reads). The facts
are encoded with their sets sorted: a set's order follows hashes, and in Python 3.11 ``None``
(the module scope of a binding) hashes by address, so ``FileFacts.mutable`` encodes in another
order in every process while the facts are the same.
"""
from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path
from typing import Any

import msgspec

_ENCODER = msgspec.msgpack.Encoder()


def canonical(value: Any) -> Any:
    """``value`` as plain lists, each set sorted by its elements' encoding (recursive: facts nest
    at most about 30 deep)."""
    if isinstance(value, msgspec.Struct):
        return [type(value).__name__, *(canonical(getattr(value, f)) for f in value.__struct_fields__)]
    if isinstance(value, (set, frozenset)):
        return sorted((canonical(x) for x in value), key=_ENCODER.encode)
    if isinstance(value, dict):
        return [[canonical(k), canonical(v)] for k, v in value.items()]
    if isinstance(value, (list, tuple)):
        return [canonical(x) for x in value]
    return value


def digest(out: Path, apps: list[str]) -> None:
    from ipclint.discover import discover
    from ipclint.extract.extract import extract
    files = failed = 0
    started = time.process_time()
    with out.open("w", encoding="utf-8") as fh:
        for app in apps:
            for sf in sorted(discover(Path(app)).files, key=lambda s: s.path):
                data = sf.load()
                for lazy in (True, False):
                    try:
                        body = _ENCODER.encode(canonical(extract(sf.path, data, lazy=lazy)))
                    except Exception as exc:  # (recorded: the other side must fail the same way)
                        body, failed = repr(exc).encode(), failed + 1
                    fh.write(f"{app}/{sf.path}\t{lazy}\t{hashlib.sha256(body).hexdigest()}\n")
                files += 1
    print(f"{files} files, {failed} extractions failed, {time.process_time() - started:.1f} s CPU -> {out}")


def diff(before: Path, after: Path) -> int:
    a = before.read_text(encoding="utf-8").splitlines()
    b = after.read_text(encoding="utf-8").splitlines()
    old = {line.rsplit("\t", 1)[0]: line for line in a}
    new = {line.rsplit("\t", 1)[0]: line for line in b}
    changed = sorted(k for k in old.keys() & new.keys() if old[k] != new[k])
    for k in changed:
        print("changed", k)
    for k in sorted(old.keys() ^ new.keys()):
        print("only in", before if k in old else after, k)
    same = len(old.keys() & new.keys()) - len(changed)
    print(f"{same} of {len(old)} (file, mode) facts identical; {len(changed)} changed")
    return 1 if changed or old.keys() != new.keys() else 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--diff":
        sys.exit(diff(Path(sys.argv[2]), Path(sys.argv[3])))
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    digest(Path(sys.argv[1]), sys.argv[2:])
