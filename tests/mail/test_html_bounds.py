"""Bounds on written HTML: counted without recursion, never fooled by attribute text, and
enforced by compose_email for text that reached the database around the forms."""

import pytest
from markupsafe import Markup

from djaboo.mail.compose import TemplateText, Wrapper, compose_email
from djaboo.mail.html_bounds import MAX_DEPTH, html_problem, nesting_depth, user_html_problem
from djaboo.mail.message import MessageError, Party


@pytest.mark.parametrize(
    "html, depth",
    [
        ("", 0),
        ("text only", 0),
        ("<p>a</p><p>b</p>", 1),
        ("<table><tr><td><b>x</b></td></tr></table>", 4),
        ("<p>a<br>b<img src='x.png'><hr/></p>", 1),
        # Quoted attribute values are skipped whole: they close and open nothing.
        ("<div title=\"</div></div>\"><div data-x='<div><div>'>x</div></div>", 2),
        ('<a href="x>y"><b>x</b></a>', 2),
        # A missing end tag can only make the count higher, never lower.
        ("<p><p><p>", 3),
    ],
)
def test_nesting_depth(html, depth):
    assert nesting_depth(html) == depth


def test_depth_of_a_hundred_thousand_levels_is_counted_without_recursion():
    assert nesting_depth("<b>" * 100_000 + "</b>" * 100_000) == 100_000


def test_attribute_text_cannot_hide_real_depth():
    hidden = '<div title="</div>">' * 500 + "x" + "</div>" * 500
    assert nesting_depth(hidden) == 500


def test_problems_say_what_to_change():
    assert html_problem("<p>fine</p>", max_chars=100) is None
    assert "too long: 101 characters, at most 100" in html_problem("x" * 101, max_chars=100)
    deep = "<span>" * (MAX_DEPTH + 1) + "</span>" * (MAX_DEPTH + 1)
    assert f"{MAX_DEPTH + 1} levels deep; at most {MAX_DEPTH}" in html_problem(
        deep, max_chars=10_000
    )


def test_typed_html_is_judged_as_it_would_be_stored():
    # Unclosed paragraphs are siblings once sanitized: not "deep".
    assert user_html_problem("<p>a" * 200, max_chars=10_000) is None
    assert "levels deep" in user_html_problem("<div>" * 100, max_chars=10_000)
    # Length is checked on what was typed, before the sanitizer reads it.
    assert "too long" in user_html_problem("<b>" * 5000, max_chars=10_000)


def _compose(header="", body="<p>Hello</p>", signature=""):
    return compose_email(
        template=TemplateText("Hi", body),
        wrapper=Wrapper(header, ""),
        values={"email_signature": signature},
        sender=Party("billing@acme.example", "Acme"),
        to=[Party("jane@example.org", "Jane")],
    )


@pytest.mark.parametrize("levels", [121, 2_500, 50_000])
def test_compose_refuses_deep_html_that_bypassed_the_forms(levels):
    """If this reached the CSS inliner, thousands of levels would kill the process."""
    deep = "<b>" * levels + "x" + "</b>" * levels
    with pytest.raises(MessageError, match=f"{levels} levels deep"):
        _compose(header=deep)


def test_a_signature_nested_in_a_body_counts_toward_the_whole_email():
    forty = Markup("<span>" * 40 + "sig" + "</span>" * 40)  # noqa: S704 - a stored signature
    body = "<div>" * 40 + "{email_signature}" + "</div>" * 40
    assert "sig" in _compose(body=body, signature=forty).html  # 80 levels: allowed
    deeper = "<div>" * 81 + "{email_signature}" + "</div>" * 81
    with pytest.raises(MessageError, match="121 levels deep"):
        _compose(body=deeper, signature=forty)
