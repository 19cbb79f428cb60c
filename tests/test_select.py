from __future__ import annotations

import pytest

from ipclint.rules import ALL_RULES
from ipclint.select import selected_rules


def codes(select, ignore):
    return [r.code for r in selected_rules(ALL_RULES, select, ignore)]


def test_everything_by_default_and_longest_prefix_wins() -> None:
    everything = [r.code for r in ALL_RULES]
    assert codes(None, None) == everything
    assert codes(["IPC01"], None) == [c for c in everything if c.startswith("IPC01")]
    assert codes(["IPC01"], ["IPC010"]) == [c for c in everything if c.startswith("IPC01") and c != "IPC010"]
    assert codes(["IPC010"], ["IPC01"]) == ["IPC010"]
    assert codes(None, ["magic-channel"]) == [c for c in everything if c != "IPC003"]
    assert codes(["unhandled-channel", "IPC012"], None) == ["IPC010", "IPC012"]


def test_unknown_entries_are_errors() -> None:
    with pytest.raises(ValueError, match="IPC999"):
        codes(["IPC999"], None)
    with pytest.raises(ValueError, match="no-such-rule"):
        codes(None, ["no-such-rule"])
