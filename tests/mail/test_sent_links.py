"""Links in sent mail: whatever a merge value holds, only http, https and mailto URLs go out.

Templates are sanitized when saved, but merge values are filled in afterwards; escaping keeps a
value from adding a tag, not from being a whole URL (`<a href="{client_company}">`).
"""

import re
from email import message_from_bytes, policy
from html.parser import HTMLParser

import pytest

from djaboo.mail.compose import TemplateText, Wrapper, compose_email, render_html
from djaboo.mail.merge import highlight_missing_html
from djaboo.mail.message import Party

HOSTILE = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;avascript&colon;alert(1)",
    " \x01\x1f javascript:alert(1)",
    "\tjava\nscr\tipt:alert(1)",
    "java\x00script:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "VBScript:msgbox(1)",
    "file:///etc/passwd",
    "tel:+15555550100",
]
URL_ATTRIBUTES = {"href", "src", "action", "background", "cite", "formaction", "poster"}


class _Urls(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls = []

    def handle_starttag(self, tag, attrs):
        self.urls += [(tag, n, v or "") for n, v in attrs if n in URL_ATTRIBUTES]


def schemes(html: str) -> list[str]:
    """The scheme of every URL in html, read as a browser reads it (entities decoded, leading
    C0 controls and spaces stripped, tabs and newlines removed); '' for a relative URL."""
    parser = _Urls()
    parser.feed(html)
    found = []
    for _, _, value in parser.urls:
        url = re.sub(r"[\t\n\r]", "", value).lstrip("".join(map(chr, range(0x21))))
        match = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", url)
        found.append(match.group(1).lower() if match else "")
    return found


def compose(value: str, body: str):
    return compose_email(
        template=TemplateText("Invoice", body),
        wrapper=Wrapper("<div>{companyname}</div>", ""),
        values={"client_company": value, "companyname": "Acme"},
        sender=Party("billing@acme.example", "Acme"),
        to=[Party("jane@example.org")],
        message_id="<links@acme.example>",
    )


def sent_html(composed) -> str:
    parsed = message_from_bytes(composed.envelope.message, policy=policy.default)
    return parsed.get_body(("html",)).get_content()


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize(
    "body",
    [
        '<p><a href="{client_company}">Pay now</a></p>',
        "<p><a href='{client_company}' title=x>Pay now</a></p>",
        '<p><a href="{client_company}?x=1">Pay now</a></p>',
        '<p><img src="{client_company}" alt="logo"></p>',
    ],
)
def test_a_hostile_value_never_becomes_a_link_with_another_scheme(value, body):
    composed = compose(value, body)
    for html in (composed.html, sent_html(composed)):
        assert set(schemes(html)) <= {"http", "https", "mailto", ""}, html
        assert "Pay now" in html or "logo" in html  # the text stays, only the URL goes


@pytest.mark.parametrize(
    "value",
    ["https://pay.example/inv?id=1&x=2", "http://pay.example/", "mailto:billing@acme.example"],
)
def test_http_https_and_mailto_values_stay_links(value):
    composed = compose(value, '<p><a href="{client_company}">Pay now</a></p>')
    parser = _Urls()
    parser.feed(sent_html(composed))
    assert [(tag, name, url) for tag, name, url in parser.urls] == [("a", "href", value)]


def test_links_the_template_itself_holds_follow_the_same_rule():
    body = (
        '<a href="javascript:alert(1)">a</a> <a href="https://ok.example">b</a>'
        '<a href="vbscript:x">c</a> <a href="mailto:x@y.example">d</a>'
    )
    assert schemes(compose("x", body).html) == ["https", "mailto"]


def test_previews_keep_their_highlight_of_missing_values():
    html = render_html(Wrapper(), "<p>{client_company}</p>", {}, missing=highlight_missing_html)
    assert "<mark" in html and "{client_company} (no value)" in html
