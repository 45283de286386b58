"""The mail core's registries of merge fields and events, as the features fill them."""

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from djaboo import register_mail_catalogue
from djaboo.mail.events import EVENTS, Event, register_event
from djaboo.mail.fields import (
    FIELD_GROUPS,
    FIELDS,
    CompanyFacts,
    FieldGroup,
    MergeFacts,
    merge_values,
    register_fields,
)
from tests.fixtures.database import base_config

ORDER = [  # the order of the template list page
    "invoice_sent",
    "invoice_resent",
    "invoice_due_soon",
    "invoice_overdue",
    "invoice_overdue_repeat",
    "payment_received",
    "estimate_sent",
    "estimate_expiring",
    "credit_note_sent",
    "test_email",
    "estimate_accepted_notice",
    "estimate_declined_notice",
    "email_failed_notice",
    "failed_emails_digest",
    "sending_paused_notice",
    "password_reset",
]


@pytest.fixture
def scratch_group():
    """A group registered for one test, taken out again after it."""
    keys = []

    def register(group: FieldGroup) -> FieldGroup:
        keys.append(group.key)
        register_fields(group)
        return group

    yield register
    for key in keys:
        group = FIELD_GROUPS.pop(key, None)
        for name in group.fields if group else ():
            FIELDS.pop(name, None)


def test_registering_again_keeps_one_of_each_in_the_first_order():
    before = (list(EVENTS.items()), list(FIELDS.items()), list(FIELD_GROUPS))
    register_mail_catalogue()
    register_mail_catalogue()
    assert (list(EVENTS.items()), list(FIELDS.items()), list(FIELD_GROUPS)) == before
    assert list(EVENTS) == ORDER


def test_each_event_lists_its_groups_fields_group_by_group():
    assert EVENTS["payment_received"].fields[:11] == [
        "invoice_number",
        "invoice_link",
        "invoice_date",
        "invoice_duedate",
        "invoice_total",
        "invoice_subtotal",
        "invoice_amount_due",
        "invoice_status",
        "total_days_overdue",
        "payment_amount",
        "payment_date",
    ]
    assert EVENTS["test_email"].fields == [
        "companyname",
        "logo_url",
        "crm_url",
        "company_address",
        "company_vat_number",
        "company_registration_number",
        "company_bank_details",
        "staff_firstname",
        "staff_lastname",
        "staff_email",
        "email_signature",
    ]


def test_a_field_of_another_group_is_refused(scratch_group):
    with pytest.raises(ValueError, match=r"\{invoice_number\} is already in group 'invoice'"):
        scratch_group(FieldGroup("rogue", {"invoice_number": "mine now"}))
    assert FIELDS["invoice_number"][0] == "invoice" and "rogue" not in FIELD_GROUPS


def test_an_event_names_only_registered_groups():
    with pytest.raises(LookupError, match="unregistered field groups"):
        register_event(Event("rogue_event", "Rogue", "", ("company", "no_such_group")))
    assert "rogue_event" not in EVENTS


def test_a_group_cannot_fill_fields_it_did_not_declare(scratch_group):
    # A feature's values never overwrite another's, e.g. the sanitized signature.
    scratch_group(
        FieldGroup(
            "parcel", {"parcel_id": "Parcel"}, lambda part, lang, cs: {"email_signature": part}
        )
    )
    facts = MergeFacts(CompanyFacts("Acme"), parts={"parcel": "<script>x</script>"})
    with pytest.raises(ValueError, match="does not declare"):
        merge_values(facts)


def test_facts_of_an_unregistered_group_are_an_error():
    with pytest.raises(LookupError, match="not registered"):
        merge_values(MergeFacts(CompanyFacts("Acme"), parts={"parcel": object()}))


def test_a_registered_group_fills_its_fields(scratch_group):
    scratch_group(
        FieldGroup(
            "parcel",
            {"parcel_id": "Parcel", "parcel_day": "Day"},
            lambda part, lang, cs: {"parcel_id": part[0], "parcel_day": str(part[1])},
        )
    )
    values = merge_values(
        MergeFacts(CompanyFacts("Acme"), parts={"parcel": ("P-1", date(2026, 1, 2))})
    )
    assert values["parcel_id"] == "P-1" and values["parcel_day"] == "2026-01-02"
    assert values["companyname"] == "Acme"


def test_create_app_fills_the_registries_in_a_fresh_process(tmp_path):
    """What the web app, the worker and the reminders run see (the tests' conftest fills them
    before collecting, so this needs a process of its own)."""
    script = f"""
from djaboo import create_app
from djaboo.email_templates.preview_sources import SOURCES
from djaboo.mail.events import EVENTS
from djaboo.mail.fields import FIELDS
assert not EVENTS and "invoice_number" not in FIELDS and not SOURCES
create_app({base_config("sqlite:///" + str(tmp_path / "db.sqlite3"))!r},
           instance_path={str(tmp_path / "instance")!r})
print(",".join(EVENTS), len(FIELDS), ",".join(SOURCES))
"""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=env
    )
    assert done.returncode == 0, done.stderr
    events, fields, sources = done.stdout.split()
    assert events.split(",") == ORDER and int(fields) == len(FIELDS) and sources == "invoice"
