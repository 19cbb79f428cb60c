"""Work the rules do once instead of again, counted (never timed)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ipclint.engine import check
from tests.helpers import write_project


def _exposing(n: int) -> dict[str, str | bytes]:
    """A preload exposing ``n`` functions that subscribe with a wrapper and ``n`` that remove
    another channel's listeners: every subscription is judged against every remover."""
    subs = "".join(f"  on{i}: (cb) => {{ ipcRenderer.on('ch{i}', (_e, ...a) => cb(...a)) }},\n" for i in range(n))
    offs = "".join(f"  off{i}: () => {{ ipcRenderer.removeAllListeners('other{i}') }},\n" for i in range(n))
    return {"src/preload.js": "const { contextBridge, ipcRenderer } = require('electron')\n"
                              f"contextBridge.exposeInMainWorld('api', {{\n{subs}{offs}}})\n"}


def test_listener_leak_finds_an_exposures_removals_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """IPC004 judges each wrapped subscription of an exposure against the removals of the other
    exposed functions: those are found once per exposure, not again per subscription."""
    import importlib
    leak = importlib.import_module("ipclint.rules.listener_leak")  # (the package names the rule so)
    seen = [0]
    ipc_ops = leak.ipc_ops

    def counted(*args: Any) -> Any:
        seen[0] += 1
        return ipc_ops(*args)

    monkeypatch.setattr(leak, "ipc_ops", counted)
    counts = []
    for n in (10, 40):
        seen[0] = 0
        r = check([str(write_project(tmp_path / f"app{n}", _exposing(n)))], use_cache=False, jobs=1, select="IPC004")
        assert len([f for f in r.findings if "wrapped callback" in f.message]) == n
        counts.append(seen[0])
    assert counts[1] <= 4 * counts[0] + 10, counts  # linear: four times the functions, four times the calls
