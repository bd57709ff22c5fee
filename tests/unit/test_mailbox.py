"""One mailbox, one person: `shared.forms.mailbox_key` folds the subaddress (`+tag`) and the
case of an address, and nothing else, so two different mailboxes never become one."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shared.forms import mailbox_key, normalise_email

LOCAL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._-", min_size=1, max_size=12)\
    .filter(lambda t: t[0] not in ".-" and t[-1] != "." and ".." not in t)
TAG = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABC0123456789.-_+", max_size=10)
DOMAIN = st.sampled_from(["example.dk", "Example.DK", "købstad.dk", "mail.example.com"])


def flip(text: str, flips: list[bool]) -> str:
    return "".join(c.upper() if i < len(flips) and flips[i] else c for i, c in enumerate(text))


@given(local=LOCAL, tag=TAG, domain=DOMAIN, flips=st.lists(st.booleans(), max_size=40))
def test_every_subaddress_in_any_case_is_the_mailbox(local: str, tag: str, domain: str,
                                                     flips: list[bool]) -> None:
    address = flip(f"{local}+{tag}@{domain}", flips)
    assert mailbox_key(address) == mailbox_key(f"{local}@{domain}") \
        == normalise_email(f"{local}@{domain}")


@given(one=LOCAL, other=LOCAL, tag=TAG, domain=DOMAIN)
def test_different_mailboxes_stay_apart(one: str, other: str, tag: str, domain: str) -> None:
    if one.lower() != other.lower():
        assert mailbox_key(f"{one}+{tag}@{domain}") != mailbox_key(f"{other}@{domain}")
    assert mailbox_key(f"{one}@{domain}") != mailbox_key(f"{one}@x{domain}")


def test_an_address_that_is_only_a_tag_or_no_address_stays_as_normalised() -> None:
    assert mailbox_key("+tag@example.dk") == "+tag@example.dk"
    assert mailbox_key("ikke en adresse") == "ikke en adresse"
