"""Text typed as plain lines (no JavaScript, so no rich editor; or a script posting the form)
keeps its line breaks: with no tag at all, each line break becomes <br> before sanitizing."""

import pytest

from djaboo.field_checks import plain_lines_as_html


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Cheers,\r\nAda", "Cheers,<br>\nAda"),
        ("Cheers,\nAda\n", "Cheers,<br>\nAda"),  # a last Enter adds no empty line
        (
            "Dear {contact_firstname},\r\n\r\nThanks.",
            "Dear {contact_firstname},<br>\n<br>\nThanks.",
        ),
        ("one\rtwo", "one<br>\ntwo"),
        # No tag, so < and > are text; & is left to mean what it means in HTML.
        ("if a < b\nthen b > a &amp; done", "if a &lt; b<br>\nthen b &gt; a &amp; done"),
        ("3 <4\n5 > 4", "3 &lt;4<br>\n5 &gt; 4"),
        # An address in angle brackets is text, not an element named "ada@acme.example".
        (
            "Ada <ada@acme.example>\n<https://acme.example>",
            "Ada &lt;ada@acme.example&gt;<br>\n&lt;https://acme.example&gt;",
        ),
    ],
)
def test_plain_lines_become_br(typed, stored):
    assert plain_lines_as_html(typed) == stored


@pytest.mark.parametrize(
    "html",
    [
        "<p>Cheers,</p>\n<p>Ada</p>",  # already HTML: its line breaks are layout, not content
        "Cheers,<br>\nAda",
        "Cheers,<br/>\nAda",
        "<P class=x>Cheers\nAda</P>",
        "Cheers,\n<custom-tag>Ada</custom-tag>",
        "Cheers\n<!-- note -->\nAda",
        "<script>alert(1)</script>\nx",  # markup: the sanitizer deals with it as before
        "x <y\nz>",  # a tag <y z>, as a browser would read it
        "One line only",
        "",
        None,
    ],
)
def test_html_and_single_lines_are_left_alone(html):
    assert plain_lines_as_html(html) == html
