"""An erasure looks again until a look finds nothing, and stops rather than report an address
erased while something about it is written at every look (a flood of presses)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.newsletter.models import Subscriber, SubscriberStatus
from shared.privacy.holders import NewsletterHolder
from shared.privacy.models import ErasureInterrupted
from shared.privacy.service import ERASURE_PASSES, until_nothing_found


@given(found=st.lists(st.sets(st.sampled_from("abcdef"), min_size=1), max_size=8))
def test_every_look_erases_what_it_finds_and_the_erasure_ends_only_with_an_empty_look(
        found: list[set[str]]) -> None:
    looks = iter([*found, set()])
    if len(found) >= ERASURE_PASSES:
        with pytest.raises(ErasureInterrupted) as refused:
            until_nothing_found(lambda: next(looks))
        assert refused.value.status == 409
    else:
        assert until_nothing_found(lambda: next(looks)) == len(set().union(*found))


class Signups:
    """A newsletter store where the address signs up again `again` times, each time just
    after the erasure deleted it (a press racing each look)."""

    def __init__(self, again: int) -> None:
        self.again = again
        self.held = True
        self.forgotten = 0

    def subscriber(self, subscriber_id: str) -> Subscriber | None:
        if not self.held:
            return None
        return Subscriber(id=subscriber_id, email="a@example.dk", name="A", role="area_leader",
                          status=SubscriberStatus.PENDING, created_at=datetime.now(UTC))

    def forget(self, subscriber_id: str) -> None:
        self.forgotten += 1
        self.held = self.again > 0  # signed up again at once
        self.again -= 1

    def issues(self) -> list[object]:
        return []


@given(again=st.integers(min_value=0, max_value=ERASURE_PASSES + 2))
def test_a_newsletter_signup_racing_each_look_is_erased_or_the_erasure_says_so(
        again: int) -> None:
    store = Signups(again)
    holder = NewsletterHolder(store, lambda email: "sid")  # type: ignore[arg-type]
    if again >= ERASURE_PASSES:
        with pytest.raises(ErasureInterrupted):
            holder.erase("a@example.dk", datetime.now(UTC))
    else:
        assert holder.erase("a@example.dk", datetime.now(UTC)) == 1
        assert store.subscriber("sid") is None and store.forgotten == again + 1
