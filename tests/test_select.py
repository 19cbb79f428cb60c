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


def _fake(code: str, name: str):
    from ipclint.model import Severity
    from ipclint.rules._base import Rule
    return Rule(code=code, name=name, severity=Severity.WARNING, summary=name, check=lambda p, o: iter(()))


FAKE = (_fake("IPC101", "alpha-one"), _fake("IPC102", "alpha-two"), _fake("IPC110", "beta"))


def test_synthetic_rules_ties_names_case_and_blanks() -> None:
    def pick(select, ignore):
        return [r.code for r in selected_rules(FAKE, select, ignore)]

    assert pick(["IPC1"], ["IPC1"]) == []  # a tie goes to ignore
    assert pick(["alpha-one"], ["IPC10"]) == ["IPC101"]  # a full name beats any prefix
    assert pick(["IPC10"], ["alpha-one"]) == ["IPC102"]
    assert pick(["ipc11"], []) == ["IPC110"]  # case does not matter
    assert pick([" ", ""], None) == ["IPC101", "IPC102", "IPC110"]  # blanks are no select list: every rule
    assert pick(None, [" IPC110 "]) == ["IPC101", "IPC102"]
    assert pick(list(reversed(["IPC110", "IPC101"])), None) == ["IPC101", "IPC110"]  # sorted output


def test_specificity() -> None:
    from ipclint.select import specificity
    assert specificity("IPC010", "unhandled-channel", "IPC0") == 4
    assert specificity("IPC010", "unhandled-channel", "Unhandled-Channel") == 100
    assert specificity("IPC010", "unhandled-channel", "IPC011") == 0
    assert specificity("IPC010", "unhandled-channel", "  ") == 0
