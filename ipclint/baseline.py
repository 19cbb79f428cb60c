"""Baselines: record today's findings, then report only new ones. Fingerprints hold no line
numbers (rule, path, a line-free key, occurrence), so a baseline survives edits elsewhere."""
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from ipclint.model import Finding

BASELINE_VERSION = 1


class BaselineError(ValueError):
    pass


def write_baseline(findings: Iterable[Finding], path: Path) -> None:
    """Record the findings (sorted, so the file diffs well); rule, path and message are for humans."""
    entries = [{"fingerprint": f.fingerprint, "rule": f.rule, "path": f.path, "message": f.message}
               for f in sorted(findings, key=lambda f: f.sort_key)]
    text = json.dumps({"version": BASELINE_VERSION, "tool": "ipclint", "findings": entries},
                      indent=2, ensure_ascii=False) + "\n"
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8", newline="\n")
        tmp.replace(path)  # never leave half a baseline behind
    except OSError as exc:
        raise BaselineError(f"{path}: cannot write baseline: {exc.strerror or exc}") from None


def load_baseline(path: Path) -> Counter[str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        prints = [e["fingerprint"] for e in data["findings"]]
        if not all(isinstance(p, str) for p in prints):
            raise TypeError
        return Counter(prints)
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read baseline: {exc.strerror or exc}") from None
    except (ValueError, KeyError, TypeError):
        raise BaselineError(f"{path}: not an ipclint baseline file") from None


def filter_baseline(findings: Iterable[Finding], baseline: Counter[str]) -> list[Finding]:
    """Hide findings recorded in the baseline; each recorded fingerprint hides one finding."""
    left = Counter(baseline)
    out = []
    for f in findings:
        if left[f.fingerprint] > 0:
            left[f.fingerprint] -= 1
        else:
            out.append(f)
    return out
