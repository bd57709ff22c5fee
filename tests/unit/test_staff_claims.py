"""Who the staff API's caller is, from the authorizer's claims: `cognito:groups` in every
shape it arrives in, only the console's groups counted, and the group check."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.edge.staff import Forbidden, NotSignedIn, StaffUser, groups_of, require, staff_user
from shared.platform.names import STAFF_GROUPS

OTHER = st.from_regex(r"[a-z][a-z_-]{0,20}", fullmatch=True).filter(
    lambda name: name not in STAFF_GROUPS)


@given(st.lists(st.sampled_from(STAFF_GROUPS), unique=True), st.lists(OTHER, max_size=3),
       st.sampled_from(["list", "comma", "bracket-space", "bracket-comma"]))
def test_groups_in_every_shape_give_the_consoles_groups_only(
        groups: list[str], others: list[str], shape: str) -> None:
    names = groups + others
    value: object = {"list": names, "comma": ",".join(names),
                     "bracket-space": "[" + " ".join(names) + "]",
                     "bracket-comma": "[" + ", ".join(names) + "]"}[shape]
    found = groups_of(value)
    assert set(found) == set(groups) and len(found) == len(groups)


def test_no_groups_claim_is_no_group() -> None:
    assert groups_of(None) == () and groups_of("") == ()
    assert groups_of("secretariat_x,xsecretariat") == ()


@pytest.mark.parametrize("claims", [None, {}, {"token_use": "access", "email": "a@b.dk"},
                                    {"token_use": "id"},
                                    {"token_use": "id", "email": "a@b.dk"},
                                    {"token_use": "id", "email": "a@b.dk",
                                     "email_verified": "false"}])
def test_without_an_id_tokens_claims_nobody_is_signed_in(claims: dict[str, str] | None) -> None:
    with pytest.raises(NotSignedIn):
        staff_user(claims)


def test_the_group_check() -> None:
    user = staff_user({"token_use": "id", "email": "a@b.dk", "email_verified": "true",
                       "cognito:groups": "editor"})
    assert user == StaffUser("a@b.dk", ("editor",))
    assert require(user, "editor") is user
    with pytest.raises(Forbidden) as refused:
        require(user, "secretariat")
    assert refused.value.status == 403 and refused.value.code == "forbidden"
