"""Which files get the per-function parameter flow (extract/handlerflow.py, ``Func.flow``).
Bump model.facts.FACTS_VERSION when the analysis changes."""
from __future__ import annotations

import re

from ipclint.model.paths import is_test_path

# The analyses serve main-process handlers and the helpers they call. Page code (it reads window or
# document and names nothing of the main process) hosts neither, so its functions are not analysed:
# in a typical app most parsed files are renderer files that only call the bridge. Nor is test
# code: no rule reports there (SPEC §1), and what it adds to the rest (a handler registered there
# counts as handled, its sends as uses) is its calls, not its functions' flow; in an app with
# end-to-end tests it is most of the parsed code.
PAGE_MARKERS = (b"window.", b"document.")
# ... read in code: not a string or module name that contains the word (`'window.close'` as a route
# name, `import ... from './window.routes'`), nor a longer name (`mainwindow.`)
PAGE_READ = re.compile(rb"(?<![\w$.'\"`/@-])(?:window|document)\.")
MAIN_MARKERS = (b"ipcMain", b"webContents", b".ipc.", b"child_process", b"'fs'", b'"fs"', b"fs/",
                b"fs-extra", b"graceful-fs", b"original-fs", b"node:", b"shell.", b"require(", b"eval(", b"vm.")

# Electron named by code: an import or require of 'electron' (or an `electron/`, `electron-`,
# `@electron/` package), or a member of a name `electron` (`electron.shell`); not the key a preload
# exposes read by the page (`window.electron.openFile(...)`, `window.electronAPI`), which in an app
# whose bridge is called `electron` is in every renderer file
ELECTRON_NAMED = re.compile(rb"['\"`](?:@?electron)[-/'\"`]|(?<![\w$@/'\"`.-])electron\s*(?:\?\.|\.\s*[A-Za-z_$]|\[)")


# Files whose flows linking and the rules are likely to read (they register or expose handlers):
# their flows are analysed with the rest of their facts. Other wanted files' flows are analysed
# only when something reads one (``FileFacts.flows_deferred``, ``Project.flow``): on the corpus
# apps linking reads a few percent of the flows extraction could make.
EAGER = re.compile(rb"ipcMain|\.handle\(|ipc-message|exposeInMainWorld|\.ipc\.")


def eager(data: bytes) -> bool:
    """Whether a wanted file's flows are analysed with its facts (else on demand)."""
    return EAGER.search(data) is not None


def wanted(path: str, data: bytes) -> bool:
    """Whether the per-function analyses can matter for a file at ``path`` with these bytes."""
    if is_test_path(path):
        return False
    return not any(m in data for m in PAGE_MARKERS) or any(m in data for m in MAIN_MARKERS) \
        or b"electron" in data and ELECTRON_NAMED.search(data) is not None \
        or PAGE_READ.search(data) is None
