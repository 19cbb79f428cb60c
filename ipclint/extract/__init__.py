"""Per-file fact extraction: pure functions of (path, bytes)."""
