"""One table of email addresses and phone numbers as typed, and what the server stores of each
(None: refused): the server's rules and the browser's are both held to it
(tests/unit/test_contact_rules.py, tests/browser/test_member_notices.py)."""

from __future__ import annotations

# (rule, as typed, what the server stores; None: refused)
TABLE: list[tuple[str, str, str | None]] = [
    ("email", "anne@example.dk", "anne@example.dk"),
    ("email", "  Anne.Hansen@Example.DK ", "Anne.Hansen@example.dk"),
    ("email", "anne@købstad.dk", "anne@xn--kbstad-bya.dk"),  # internationalised domain
    ("email", "søren@sø.dk", None),  # a non-ASCII part before the @: SES cannot send to it
    ("email", "ole+forum@mail.aarhus.dk", "ole+forum@mail.aarhus.dk"),
    ("email", "o'brien@example.ie", "o'brien@example.ie"),
    ("email", "x@xn--kbstad-bya.dk", "x@xn--kbstad-bya.dk"),
    ("email", ".a@example.dk", None),
    ("email", "a.@example.dk", None),
    ("email", "a..b@example.dk", None),
    ("email", "mette@example", None),
    ("email", "mette@localhost", None),
    ("email", "mette@example.test", None),
    ("email", "mette@printer.local", None),
    ("email", "mette@example.123", None),
    ("email", "mette@-example.dk", None),
    ("email", "mette@example-.dk", None),
    ("email", "mette@exa_mple.dk", None),
    ("email", "mette@exa mple.dk", None),
    ("email", "mette@@example.dk", None),
    ("email", "mette@[127.0.0.1]", None),
    ("email", '"mette hansen"@example.dk', None),
    ("email", "mette", None),
    ("email", "@example.dk", None),
    ("email", "a" * 100 + "@example.dk", "a" * 100 + "@example.dk"),
    ("email", "a" * 250 + "@example.dk", None),  # over 254 characters in all
    ("email", "mette@" + "a" * 64 + ".dk", None),
    # Invisible characters a copied address brings along: in the domain they are nothing
    # (IDNA's mapping, as the browser's URL parser applies it), around it they are trimmed.
    ("email", "anne@example.dk\u200b", "anne@example.dk"),  # zero-width space
    ("email", "anne@ex\u00adample.dk", "anne@example.dk"),  # soft hyphen
    ("email", "\ufeffanne@example.dk", "anne@example.dk"),  # byte order mark
    ("email", "an\u200bne@example.dk", None),  # before the @ nothing is mapped
    ("phone", "20 30 40 50", "+4520304050"),  # Danish without a country code
    ("phone", "20304050", "+4520304050"),
    ("phone", "+45 20 30 40 50", "+4520304050"),
    ("phone", "0045 20 30 40 50", "+4520304050"),
    ("phone", "(+45) 20-30-40-50", "+4520304050"),
    ("phone", "70 10 20 30", "+4570102030"),
    ("phone", "+46 8 123 456 78", "+46812345678"),
    ("phone", "+44 20 7946 0958", "+442079460958"),
    ("phone", "\ufeff20 30 40 50\u00a0", "+4520304050"),
    ("phone", "(((((((((", None),
    ("phone", "12 34 56 78", None),  # no Danish number begins with 1
    ("phone", "+45 12 34 56 78", None),
    ("phone", "2030405", None),  # too short for Denmark
    ("phone", "203040506", None),  # too long for Denmark
    ("phone", "+45 20 30 40 50 ext 1", None),
    ("phone", "ring 20304050", None),
    ("phone", "1-800-FLOWERS", None),
    ("phone", "+999 1234 5678", None),
]
