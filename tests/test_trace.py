"""An IPC006 finding's trace names the renderer, preload and main locations, in that order."""
from __future__ import annotations

from pathlib import Path

from ipclint.engine import check

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "IPC006" / "bad-open-external-through-bridge"


def test_tainted_sink_trace_crosses_the_three_processes() -> None:
    r = check([str(FIXTURE)], select=["IPC006"], use_cache=False, jobs=1)
    [f] = r.findings
    steps = [(t.path, t.span.line) for t in f.trace]
    assert steps == [
        ("src/renderer/links.ts", 2),   # window.api.openLink(href)
        ("src/preload/index.ts", 5),    # ipcRenderer.invoke(CH.OPEN_LINK, url)
        ("src/main/index.ts", 5),       # the handler parameter `url`
        ("src/main/index.ts", 6),       # shell.openExternal(url)
    ]
    assert "url" in f.trace[2].message and "shell.openExternal" in f.trace[3].message
