"""A data-protection request names one address: the case's, or the one typed. A body naming
a case and an address (perhaps another person's) is refused with a Danish field error, never
answered for one of them in silence."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.edge.privacy_routes import AddressRequest, EraseRequest

cases = st.builds(lambda year, n: f"DB-{year}-{n:04d}", st.integers(2000, 2099),
                  st.integers(1, 9999))
emails = st.from_regex(r"[a-z]{1,8}(\+[a-z]{1,4})?@[a-z]{2,8}\.dk", fullmatch=True)


@settings(max_examples=25)
@given(case=cases, email=emails, erase=st.booleans())
def test_a_case_and_an_address_together_are_refused(case: str, email: str,
                                                    erase: bool) -> None:
    model = EraseRequest if erase else AddressRequest
    extra = {"confirm": True} if erase else {}
    with pytest.raises(ValidationError) as refused:
        model.model_validate({"case": case, "email": email, **extra})
    [error] = refused.value.errors()
    told = error["ctx"]["error"]  # the DanishValueError the edge answers 422 with
    assert (told.code, told.field) == ("case_and_email", "email")
    assert told.message == "Angiv enten sagen eller e-mailadressen, ikke begge."
    assert model.model_validate({"case": case, **extra}).case == case
    assert model.model_validate({"email": email, **extra}).email is not None
