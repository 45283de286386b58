"""Display names at message build: bidi controls dropped, encoded-word look-alikes encoded.

Whatever the forms let through (imports, older rows), the From and To names that reach a
reader are what was typed, minus the characters that would make them read as something else.
"""

from email import message_from_bytes, policy

import pytest

from djaboo.mail.headers import display_name_problem, strip_bidi
from djaboo.mail.message import Party, build_message

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def sent(name: str, charset: str = "utf-8"):
    msg = build_message(
        sender=Party("billing@acme.example", name),
        to=[Party("jane@example.org", name), Party("joe@example.org", "Joe")],
        subject="Invoice",
        html=None,
        text="x",
        charset=charset,
    )
    raw = msg.as_bytes()
    parsed = message_from_bytes(raw, policy=policy.default)
    assert not any(parsed[h].defects for h in ("From", "To"))
    return raw, parsed


@pytest.mark.parametrize("control", list(BIDI))
def test_bidi_controls_never_reach_a_header(control):
    # "Acme <U+202E>moc.live" would show as "Acme evil.com" in a right-to-left override.
    raw, parsed = sent(f"Acme {control}moc.live{control} Billing")
    for header in ("From", "To"):
        assert parsed[header].addresses[0].display_name == "Acme moc.live Billing"
        assert not set(str(parsed[header])) & set(BIDI)
    assert raw.isascii() and b"=?" not in raw.split(b"\r\n\r\n")[0].split(b"Subject")[0]


def test_bidi_controls_in_a_non_ascii_name_are_dropped_before_encoding():
    raw, parsed = sent("\u202eÉlodie \u2067Durand\u2069")
    assert parsed["From"].addresses[0].display_name == "Élodie Durand"


@pytest.mark.parametrize(
    "name",
    [
        "=?utf-8?b?QmFuayBvZiBBbWVyaWNh?=",  # would read "Bank of America"
        "=?utf-8?q?Bank_of_America?=",
        "Acme =?iso-8859-1?q?Bank?= Ltd",
        "Mr =?UTF-8?B?QQ==?=",  # (longer ones: test_mime_properties, with gh-128110 in mind)
        '"=?utf-8?q?Bank?="',
    ],
)
@pytest.mark.parametrize("charset", ["utf-8", "iso-8859-1", "iso-2022-jp"])
def test_a_name_typed_as_an_encoded_word_reads_back_as_typed(name, charset):
    raw, parsed = sent(name, charset)
    for header in ("From", "To"):
        assert parsed[header].addresses[0].display_name == name
    assert b"Bank of America" not in raw and b"?q?Bank" not in raw.split(b"\r\n\r\n")[0]


def test_forms_refuse_look_alikes_and_the_writer_strips_bidi_the_same_way():
    assert display_name_problem("=?utf-8?b?QmFuaw==?=")
    assert display_name_problem("Acme =? Ltd")
    assert display_name_problem("Acme Ltd") is None
    assert display_name_problem("Joe (who?) = boss") is None
    assert strip_bidi("a\u202eb\u200fc\u061cd") == "abcd"
