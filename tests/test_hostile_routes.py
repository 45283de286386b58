"""Every route of the URL map, walked with hostile values: no answer may be a 5xx.

For each role (anonymous, staff, admin) every rule is requested with real ids and with hostile
path segments; GET pages also get hostile query parameters; every POST route gets the fields of
the forms that post to it (read from the pages), each field in turn set to a hostile value, and
all of them at once. A route added later is walked without anyone listing it here.
"""

from __future__ import annotations

import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from djaboo.documents.kinds import CREDIT_NOTE, ESTIMATE, INVOICE
from djaboo.documents.public_links import active_link
from djaboo.email_templates.models import EmailTemplate
from djaboo.extensions import db
from tests.fixtures.database import csrf_token_from
from tests.settings.conftest import form_data

# Path segments: out-of-range ids, NUL, odd bytes, overlong, traversal, bidi override.
HOSTILE_SEGMENTS = [
    "0",
    "-1",
    "2147483648",
    "9" * 40,
    "%00",
    "a%00b",
    "%FF%FE",
    "x" * 3000,
    "..%2F..%2Fetc%2Fpasswd",
    "%E2%80%AE",
    "{{7*7}}",
]
# Field and query values.
HOSTILE_VALUES = [
    "\x00",
    "a\x00b",
    "9" * 40,
    "-2147483649",
    "2147483648",
    "1e309",
    "NaN",
    "x" * 120_000,
    "\u202eevil\u202c",
    "=?utf-8?b?PHNjcmlwdD4=?=",
    "{{7*7}}<script>alert(1)</script>",
    "' OR 1=1--",
    "<div>" * 3000,
    "",
]
# Every query parameter a view reads, found in the source so that a new one is walked too.
_SOURCE = Path(__file__).resolve().parent.parent / "djaboo"
# One field at a time gets the values whose effect depends on the field (numbers, lengths,
# markup); all fields at once get every value.
PER_FIELD = ["9" * 40, "-2147483649", "1e309", "x" * 120_000, "<div>" * 3000, "\u202eevil", ""]
QUERY_NAMES = sorted(
    {"q", "page", "sort", "after", "before"}  # the lists read these through listing.py
    | {
        m.group(2)
        for path in _SOURCE.rglob("*.py")
        for m in re.finditer(r"request\.(args|values)\.get\(\s*\"(\w+)\"", path.read_text())
    }
)
# Routes that end the session or destroy what later routes need are walked last.
LAST = ("logout", "delete", "revoke", "cancel", "reset")


class _Forms(HTMLParser):
    """(method, action, {field: default}) of every form on a page."""

    def __init__(self, page_url: str):
        super().__init__()
        self.page_url, self.forms, self.current = page_url, [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            action = a.get("action") or self.page_url
            self.current = ((a.get("method") or "get").upper(), urlsplit(action).path, {})
            self.forms.append(self.current)
        elif self.current and tag in ("input", "select", "textarea", "button") and a.get("name"):
            fields = self.current[2]
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                fields.setdefault(a["name"], a.get("value") or "y")
            else:
                fields[a["name"]] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


@pytest.fixture
def world(app, create_space, create_user, create_customer, create_invoice, login, smtp_server):
    """One space with one of everything, sending through a real SMTP server."""
    admin = create_space(name="Walk Ltd")
    server = smtp_server()
    admin_client = app.test_client()
    login(admin_client, admin)
    admin_client.submit(
        "/settings/email", form_data(host="127.0.0.1", port=server.port, encryption="none")
    )
    staff = create_user(admin.space, name="Sam Staff")
    customer = create_customer(admin.space)
    invoice = create_invoice(customer, staff, status="unpaid")
    page = admin_client.get(f"/estimates/new?customer={customer.id}").get_data(as_text=True)
    admin_client.post(
        "/estimates/new",
        data={
            "csrf_token": csrf_token_from(page),
            "customer_id": customer.id,
            "issue_date": invoice.issue_date.isoformat(),
            "expiry_date": invoice.due_date.isoformat(),
            "currency": "EUR",
            "lines-0-description": "Work",
            "lines-0-quantity": "1",
            "lines-0-unit_price": "10",
            "lines-0-tax_rate": "20",
        },
    )
    page = admin_client.get(f"/credit-notes/new?invoice={invoice.id}").get_data(as_text=True)
    admin_client.post(
        "/credit-notes/new",
        data={
            "csrf_token": csrf_token_from(page),
            "customer_id": customer.id,
            "issue_date": invoice.issue_date.isoformat(),
            "currency": "EUR",
            "invoice_id": invoice.id,
            "lines-0-description": "Refund",
            "lines-0-quantity": "1",
            "lines-0-unit_price": "5",
            "lines-0-tax_rate": "20",
        },
    )
    from djaboo.documents.models import CreditNote, Estimate

    estimate = db.session.execute(db.select(Estimate)).scalars().first()
    assert estimate is not None, "the estimate form changed; adapt the walk's set-up"
    credit_note = db.session.execute(db.select(CreditNote)).scalars().first()
    assert credit_note is not None, "the credit note form changed; adapt the walk's set-up"
    credit_note.status = "issued"  # its public page opens
    template = db.session.execute(db.select(EmailTemplate)).scalars().first()
    real = {
        "invoice_id": invoice.id,
        "estimate_id": estimate.id,
        "credit_note_id": credit_note.id,
        "customer_id": customer.id,
        "contact_id": customer.contacts[0].id,
        "user_id": staff.id,
        "template_id": template.id if template else 1,
        "email_id": 1,
        "check_id": 1,
    }
    tokens = {
        "invoice": active_link(INVOICE, invoice).token,
        "estimate": active_link(ESTIMATE, estimate).token,
        "credit_note": active_link(CREDIT_NOTE, credit_note).token,
    }
    db.session.commit()
    staff_client = app.test_client()
    login(staff_client, staff)
    return {
        "clients": {"anonymous": app.test_client(), "staff": staff_client, "admin": admin_client},
        "real": real,
        "tokens": tokens,
    }


def _path(rule, values: dict) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: str(values[m.group(1)]), rule.rule)


def _real_values(rule, world) -> dict:
    values = dict(world["real"])
    kind = next((k for k in world["tokens"] if f"/p/{k}/" in rule.rule), "invoice")
    values["token"] = world["tokens"][kind]
    return {arg: values.get(arg, "1") for arg in rule.arguments}


def _urls(rule, world) -> list[str]:
    real = _real_values(rule, world)
    urls = [_path(rule, real)]
    for arg in rule.arguments:
        urls += [_path(rule, {**real, arg: segment}) for segment in HOSTILE_SEGMENTS]
    return urls


def _forms_by_action(client, get_urls) -> dict:
    forms = defaultdict(dict)
    for url in get_urls:
        response = client.get(url)
        if response.status_code != 200 or "html" not in (response.content_type or ""):
            continue
        parser = _Forms(url)
        parser.feed(response.get_data(as_text=True))
        for method, action, fields in parser.forms:
            if method == "POST":
                forms[action].update(fields)
    return forms


def _post_bodies(fields: dict, token: str, one_by_one: bool) -> list[dict]:
    fields = {k: v for k, v in fields.items() if k != "csrf_token"}
    bodies = [{}, fields]
    bodies += [{name: value for name in fields} for value in HOSTILE_VALUES]
    for name in fields if one_by_one else ():
        bodies += [{**fields, name: value} for value in PER_FIELD]
    return [{**body, "csrf_token": token} for body in bodies]


@pytest.mark.parametrize("role", ["anonymous", "staff", "admin"])
def test_no_route_answers_5xx_to_hostile_input(app, world, role):
    client = world["clients"][role]
    rules = sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint != "static"),
        key=lambda r: (any(word in r.rule for word in LAST), r.rule),
    )
    get_rules = [r for r in rules if "GET" in r.methods]
    real_get_urls = [_path(r, _real_values(r, world)) for r in get_rules]
    forms = _forms_by_action(client, real_get_urls)
    page = client.get("/login" if role == "anonymous" else "/staff/profile")
    token = csrf_token_from(page.get_data(as_text=True))
    failures = []

    def check(method, url, **kw):
        try:  # TESTING propagates a view's exception instead of answering 500
            status = getattr(client, method)(url, **kw).status_code
        except Exception as exc:  # noqa: BLE001 - every kind is a failure to report
            status = f"500 {type(exc).__name__}: {str(exc)[:100]}"
        if str(status).startswith("5"):
            failures.append(f"{status} {method.upper()} {url[:100]} {str(kw.get('data'))[:160]}")

    for rule in rules:
        urls = _urls(rule, world)
        if "GET" in rule.methods:
            for url in urls:
                check("get", url)
            for name in QUERY_NAMES:
                for value in HOSTILE_VALUES:
                    check("get", f"{urls[0]}?{name}={quote(value[:5000])}")
        if "POST" in rule.methods:
            fields = forms.get(urls[0], {})
            # Field by field as the admin, who reaches every form; other roles reach a subset
            # of the same views, walked with every field hostile at once (the suite's time).
            for body in _post_bodies(fields, token, one_by_one=role == "admin"):
                check("post", urls[0], data=body)
            for url in urls[1:]:
                check("post", url, data={**fields, "csrf_token": token})
    assert not failures, f"{len(failures)} requests answered 5xx:\n" + "\n".join(failures[:40])
