"""Multi-line text as browsers send it: a form posted without the pages' script carries every
line break of a textarea as CRLF (the HTML standard's form submission), the script's JSON as
LF. Both are the same text, stored with LF, and counted as such against the length limit."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from shared.forms import MultiLine

# Format characters (Cf: soft hyphen, zero-width spaces, bidirectional marks) are left out:
# a text of only them is an empty one, and the bidirectional ones are refused, each with tests
# of its own (test_one_line_fields); here the line breaks are what varies.
LINE = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc", "Cf"]),
               max_size=30)


@given(lines=st.lists(LINE.filter(lambda t: t.strip() != ""), min_size=1, max_size=6),
       newline=st.sampled_from(["\r\n", "\n", "\r"]))
def test_line_breaks_of_any_kind_are_one_text_stored_with_lf(lines: list[str],
                                                              newline: str) -> None:
    stored = TypeAdapter(MultiLine).validate_python(newline.join(lines))
    assert stored == "\n".join(lines).strip()


class Message(BaseModel):
    message: MultiLine = Field(min_length=1, max_length=9)  # as the forms' models declare it


def test_a_line_break_counts_as_one_character_against_the_limit() -> None:
    assert Message(message="1234\r\n5678").message == "1234\n5678"  # 9 characters
    try:
        Message(message="1234\r\n56789")
    except ValidationError as refused:
        assert refused.errors()[0]["type"] == "string_too_long"
    else:
        raise AssertionError("10 characters passed a limit of 9")


def test_other_control_characters_are_still_refused() -> None:
    for text in ("a\x00b", "a\x1bb", "a\x0bb", "a\x7fb"):
        try:
            TypeAdapter(MultiLine).validate_python(text)
        except ValidationError:
            continue
        raise AssertionError(f"{text!r} passed")
