"""The MIME writer: the lightest transfer encoding that is 7-bit safe, lines within RFC 5322."""

from email import message_from_bytes, policy

import pytest

from djaboo.mail.mime import OutgoingMessage, multipart, text_part

HEADERS = [("From", "a@b.example"), ("To", "c@d.example"), ("Message-ID", "<m@b.example>")]


def written(*parts, subtype="alternative"):
    root = parts[0] if len(parts) == 1 else multipart(subtype, list(parts))
    return OutgoingMessage(list(HEADERS), root).as_bytes()


@pytest.mark.parametrize(
    ("text", "charset", "cte"),
    [
        ("Hello\nworld", "utf-8", "7bit"),
        ("x" * 2000, "utf-8", "quoted-printable"),  # a line over 998 octets
        (
            "Sauf erreur de notre part, la facture est échue. Reste à payer : 1 234,50 €.",
            "utf-8",
            "quoted-printable",
        ),
        ("請求書をお送りします。" * 20, "utf-8", "base64"),
        ("請求書をお送りします。", "iso-2022-jp", "7bit"),
        ("Mit freundlichen Grüßen, Ihre Buchhaltung", "iso-8859-1", "quoted-printable"),
        ("Grüße", "iso-8859-1", "base64"),  # short and mostly 8-bit: base64 is shorter
    ],
)
def test_each_text_goes_out_7_bit_and_comes_back_the_same(text, charset, cte):
    raw = written(text_part(text, "plain", charset))
    assert raw.isascii()  # no server needs 8BITMIME
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF only
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["Content-Transfer-Encoding"] == cte
    assert parsed.get_content_charset() == charset
    assert parsed.get_content().replace("\r\n", "\n").rstrip("\n") == text


def test_line_ends_are_normalized_and_dots_left_to_the_transport():
    raw = written(text_part("one\r\ntwo\rthree\n.four", "plain", "utf-8"))
    assert raw.endswith(b"\r\n\r\none\r\ntwo\r\nthree\r\n.four\r\n")


def test_multipart_boundaries_follow_the_message_id_and_nest():
    message = OutgoingMessage(
        list(HEADERS),
        multipart(
            "alternative",
            [text_part("a", "plain", "utf-8"), text_part("<p>a</p>", "html", "utf-8")],
        ),
    )
    message.add_attachment(b"%PDF-1.7 " + bytes(range(256)), "application/pdf", "Facture été.pdf")
    raw = message.as_bytes()
    assert raw == message.as_bytes()  # the same message, the same bytes
    parsed = message_from_bytes(raw, policy=policy.default)
    assert [p.get_content_type() for p in parsed.walk()] == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/html",
        "application/pdf",
    ]
    [attachment] = parsed.iter_attachments()
    assert attachment.get_filename() == "Facture été.pdf"
    assert attachment.get_content() == b"%PDF-1.7 " + bytes(range(256))
    assert b"filename*=utf-8''Facture%20%C3%A9t%C3%A9.pdf" in raw
    boundaries = {p.get_boundary() for p in parsed.walk() if p.is_multipart()}
    assert len(boundaries) == 2 and all(b.startswith("=_djaboo_") for b in boundaries)
