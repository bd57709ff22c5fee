"""One email per mailbox and interval, the same way for every form (shared.email.through_gate):
a closed gate sends nothing; a send that raised opens the gate again; a send that answers
(even for an email that may have gone out) leaves it closed."""

from __future__ import annotations

import pytest

from shared.email import through_gate


class Gate:
    def __init__(self, open_: bool = True) -> None:
        self.open, self.passes, self.reopened = open_, 0, 0

    def pass_(self) -> bool:
        self.passes += 1
        was, self.open = self.open, False
        return was

    def reopen(self) -> None:
        self.reopened += 1
        self.open = True


def test_a_closed_gate_sends_nothing() -> None:
    gate, sent = Gate(open_=False), []
    assert through_gate(gate.pass_, lambda: sent.append("x"), gate.reopen) is None
    assert sent == [] and gate.reopened == 0


def test_a_send_that_raised_opens_the_gate_for_the_next_attempt() -> None:
    gate = Gate()

    def fails() -> str:
        raise ConnectionError("SES unreachable")

    with pytest.raises(ConnectionError):
        through_gate(gate.pass_, fails, gate.reopen)
    assert gate.open and gate.reopened == 1
    assert through_gate(gate.pass_, lambda: "message-1", gate.reopen) == "message-1"
    assert not gate.open  # sent: closed for its interval


def test_a_send_that_answers_leaves_the_gate_closed() -> None:
    gate = Gate()
    assert through_gate(gate.pass_, lambda: False, gate.reopen) is False  # refused, not raised
    assert not gate.open and gate.reopened == 0
