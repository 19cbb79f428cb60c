"""Which paths are test code (SPEC §1): analysed, never reported on. Here, below both discovery
and extraction, because both ask (extraction skips the per-function analyses there)."""
from __future__ import annotations

import re

_TEST_DIRS = frozenset({"__tests__", "__mocks__", "test", "tests", "e2e", "integration-tests", "spec", "__fixtures__"})
_TEST_FILE = re.compile(r"\.(test|spec|e2e|stories)\.[cm]?[jt]sx?$"
                        r"|^(setup-?tests?|setup-?(vitest|jest)|(vitest|jest|test)[.-]setup|setupTests)\.[cm]?[jt]sx?$"
                        r"|^(vitest|jest|playwright)\.config\.[cm]?[jt]s$")
# a monorepo's end-to-end test package or folder (compass's packages/compass-e2e-tests, dbgate's
# e2e-tests, nx's apps/web-e2e, notesnook's __e2e__): it drives the app, it is not the app
_E2E_DIR = re.compile(r"^(__e2e__|e2e[-_]tests?|.+[-_]e2e([-_]tests?)?)$")


def is_test_path(path: str) -> bool:
    """Tests and mocks: analysed (their sends count as uses, their handlers as handlers) but never
    reported on."""
    parts = path.split("/")
    if _TEST_FILE.search(parts[-1]) or any(p in _TEST_DIRS or _E2E_DIR.match(p) for p in parts[:-1]):
        return True
    # Cucumber's layout (steps driving Spectron or Playwright): step_definitions/ under features/,
    # and the top-level features/support/ (not an app's `src/features/support/` feature folder)
    return any(a == "features" and b == "step_definitions" for a, b in zip(parts[:-2], parts[1:-1], strict=True)) \
        or parts[:2] == ["features", "support"] and len(parts) > 2
