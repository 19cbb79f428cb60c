from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# The cache key lives in the user's cache directory: give the test run its own, so that the suite
# neither reads nor writes the real one (subprocesses inherit it).
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="ipclint-test-cache-home-")

try:
    from hypothesis import HealthCheck, settings

    # Fuzzing stays fast and repeatable: a bounded number of examples, derandomized in CI.
    settings.register_profile("ci", max_examples=40, derandomize=True, deadline=None,
                              suppress_health_check=[HealthCheck.too_slow])
    settings.register_profile("dev", max_examples=40, deadline=None,
                              suppress_health_check=[HealthCheck.too_slow])
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
except ImportError:  # pragma: no cover
    pass
