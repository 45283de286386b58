"""The merge fields notices add to the mail core: the customer's answer to an estimate, an
email that went wrong, the day's digest of them, and a paused queue; their facts, values and
preview samples. Facts are plain values, never ORM objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from djaboo.mail.fields import FieldGroup, day
from djaboo.mail.texts import N_


@dataclass(frozen=True)
class AnswerFacts:
    customer: str  # the customer's company name
    staff_link: str  # the estimate's page in the app


@dataclass(frozen=True)
class FailedEmailFacts:
    subject: str
    recipients: str
    status: str  # its status label: Failed, Needs attention, …
    results: str  # one line per recipient: "Delivered to 2; refused for x@y: 550 …"
    reason: str  # what went wrong, in the server's words when it answered
    link: str  # the email's page in the app
    document: str = ""  # "Invoice INV-000042"


@dataclass(frozen=True)
class DigestFacts:
    day: date
    count: int
    failures: tuple[FailedEmailFacts, ...]  # the first ones, for the list
    log_link: str


@dataclass(frozen=True)
class PauseFacts:
    reason: str
    settings_link: str


def answer_values(facts: AnswerFacts, lang: str, charset: str) -> dict[str, str]:
    return {"estimate_customer": facts.customer, "estimate_staff_link": facts.staff_link}


def failed_email_values(facts: FailedEmailFacts, lang: str, charset: str) -> dict[str, str]:
    return {
        "failed_subject": facts.subject,
        "failed_recipients": facts.recipients,
        "failed_status": facts.status,
        "failed_results": facts.results,
        "failed_reason": facts.reason,
        "failed_document": facts.document,
        "failed_email_link": facts.link,
    }


def failure_list(failures, more: int) -> Markup:
    """The digest's list as HTML: each value escaped (Markup.format), never read as a field."""
    items = [
        Markup('<li><a href="{}">{}</a>: {}, {}. {}</li>').format(
            f.link, f.subject or "(no subject)", f.recipients, f.status, f.reason or f.results
        )
        for f in failures
    ]
    if more > 0:
        items.append(Markup("<li>… {} more</li>").format(more))
    return Markup("<ul>{}</ul>").format(Markup("").join(items))


def digest_values(facts: DigestFacts, lang: str, charset: str) -> dict[str, str | Markup]:
    return {
        "failed_day": day(facts.day, lang),
        "failed_count": str(facts.count),
        "failed_list": failure_list(facts.failures, facts.count - len(facts.failures)),
        "failed_log_link": facts.log_link,
    }


def pause_values(facts: PauseFacts, lang: str, charset: str) -> dict[str, str]:
    return {"pause_reason": facts.reason, "settings_link": facts.settings_link}


def _base(base_url: str) -> str:
    return base_url.rstrip("/")


def sample_answer(language: str, today: date, base_url: str) -> AnswerFacts:
    customer = {"fr": "Boulangerie Martin", "ja": "株式会社サンプル"}.get(
        language, "Northwind Traders"
    )
    return AnswerFacts(customer, f"{_base(base_url)}/estimates/7")


def sample_failed_email(language: str, today: date, base_url: str) -> FailedEmailFacts:
    return FailedEmailFacts(
        subject="Invoice INV-000042 from Acme Ltd",
        recipients="Jane Doe <jane.doe@example.com>, Bob Roe <bob@example.net>",
        status="Failed",
        results="Delivered to 0; refused for jane.doe@example.com: 552 5.2.2 Mailbox full, "
        "bob@example.net: 550 5.1.1 No such user",
        reason="No recipient was accepted (jane.doe@example.com: 552 5.2.2 Mailbox full; "
        "bob@example.net: 550 5.1.1 No such user).",
        link=f"{_base(base_url)}/emails/42",
        document="Invoice INV-000042",
    )


def sample_digest(language: str, today: date, base_url: str) -> DigestFacts:
    first = FailedEmailFacts(
        subject="Invoice INV-000042 from Acme Ltd",
        recipients="Jane Doe <jane.doe@example.com>, Bob Roe <bob@example.net>",
        status="Accepted by the server",
        results="",
        reason="Delivered to 1; refused for bob@example.net: 550 5.1.1 No such user",
        link=f"{_base(base_url)}/emails/42",
        document="Invoice INV-000042",
    )
    second = FailedEmailFacts(
        subject="Overdue: invoice INV-000039",
        recipients="accounts@example.org",
        status="Failed",
        results="Delivered to 0; refused for accounts@example.org: 550 5.7.1 Rejected",
        reason="No recipient was accepted (accounts@example.org: 550 5.7.1 Rejected).",
        link=f"{_base(base_url)}/emails/39",
        document="Invoice INV-000039",
    )
    return DigestFacts(today, 2, (first, second), f"{_base(base_url)}/emails")


def sample_pause(language: str, today: date, base_url: str) -> PauseFacts:
    return PauseFacts(
        "The server refused the login (server said: 535 5.7.8 Authentication failed) Check "
        "SMTP Username and SMTP Password.",
        f"{_base(base_url)}/settings/email",
    )


FIELD_GROUPS = (
    FieldGroup(
        "estimate_answer",
        {
            "estimate_customer": N_("The customer who answered (company name)"),
            "estimate_staff_link": N_("Link to the estimate's page in Djaboo Mail (for staff)"),
        },
        answer_values,
        sample_answer,
    ),
    FieldGroup(
        "failed_email",
        {
            "failed_subject": N_("Subject of the email that went wrong"),
            "failed_recipients": N_("Whom that email was addressed to"),
            "failed_status": N_("Its status: Failed, Needs attention, …"),
            "failed_results": N_(
                "Per recipient, in one line: Delivered to 2; refused for x@y: 550 …"
            ),
            "failed_reason": N_("What went wrong, in the mail server's words when it answered"),
            "failed_document": N_("The document it was about, e.g. Invoice INV-000042"),
            "failed_email_link": N_("Link to the email's page in Djaboo Mail"),
        },
        failed_email_values,
        sample_failed_email,
    ),
    FieldGroup(
        "failed_digest",
        {
            "failed_day": N_("The day the digest is for"),
            "failed_count": N_("How many emails went wrong"),
            "failed_list": N_("The list of them: subject, recipients, status, what went wrong"),
            "failed_log_link": N_("Link to the email log in Djaboo Mail"),
        },
        digest_values,
        sample_digest,
    ),
    FieldGroup(
        "mail_paused",
        {
            "pause_reason": N_("Why sending stopped, in the mail server's words"),
            "settings_link": N_("Link to Settings → Email in Djaboo Mail"),
        },
        pause_values,
        sample_pause,
    ),
)
