"""The merge-field registry: every `{field}` a template may use, what it means, how it is made.

The core declares the fields every email has (company, staff, signature); a feature registers
its own group of fields (register_fields), as Indico's placeholders do: their descriptions,
how their values are made from the feature's facts, and sample facts for previews.

Values are built from plain facts (dataclasses of strings, numbers and dates), never from ORM
objects, the app, its config or the request: a template can only ever reach these values.
Amounts and dates are formatted for the customer's language and the email's charset.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency
from markupsafe import Markup

from djaboo.mail.texts import N_

Values = Mapping[str, "str | Markup"]


@dataclass(frozen=True)
class FieldGroup:
    """Fields that come together from one kind of facts (an invoice, the customer's contact).

    values(part, language, charset): the values of these fields from the group's facts in
    MergeFacts.parts; sample(language, today, base_url): facts for previews; recipient(part):
    the To line a preview shows, for the group whose facts name the person written to."""

    key: str
    fields: Mapping[str, str]  # name -> one-line description shown in the editor, in order
    values: Callable[[Any, str, str], Values] | None = None
    sample: Callable[[str, date, str], Any] | None = None
    recipient: Callable[[Any], str] | None = None


FIELD_GROUPS: dict[str, FieldGroup] = {}
# name -> (group, description), for every registered field
FIELDS: dict[str, tuple[str, str]] = {}


def register_fields(group: FieldGroup) -> None:
    """Add a group of fields, or replace the group of that key in place: registering twice
    (each app the tests create) keeps one of each. A field another group has is refused."""
    for name in group.fields:
        owner = FIELDS.get(name, (group.key,))[0]
        if owner != group.key:
            raise ValueError(f"merge field {{{name}}} is already in group {owner!r}")
    FIELD_GROUPS[group.key] = group
    FIELDS.clear()  # rebuilt in place: others hold a reference to this dict
    for each in FIELD_GROUPS.values():
        FIELDS.update({name: (each.key, text) for name, text in each.fields.items()})


def fields_of(groups) -> list[str]:
    """The fields of these groups, group by group in the order given."""
    return [name for key in groups for name in FIELD_GROUPS[key].fields]


@dataclass(frozen=True)
class StaffFacts:
    first_name: str = ""
    last_name: str = ""
    email: str = ""


@dataclass(frozen=True)
class CompanyFacts:
    name: str
    base_url: str = ""
    logo_url: str = ""
    address: str = ""  # lines
    vat_number: str = ""
    registration_number: str = ""
    bank_details: str = ""  # lines


@dataclass(frozen=True)
class MergeFacts:
    """Everything one email may say, as plain values: what every email has, and the facts of
    registered field groups in `parts` (group key -> that group's facts)."""

    company: CompanyFacts
    language: str = "en"
    staff: StaffFacts = field(default_factory=StaffFacts)
    signature_html: str = ""  # sanitized HTML
    parts: Mapping[str, Any] = field(default_factory=dict)


# The fields of every email: the predefined header and footer may use only these.
register_fields(
    FieldGroup(
        "company",
        {
            "companyname": N_("Your company's name (the space)"),
            "logo_url": N_("Address of your logo image (uploaded in Setup → Company)"),
            "crm_url": N_("Address of this Djaboo Mail installation"),
            "company_address": N_("Your company's address (Setup → Company), on several lines"),
            "company_vat_number": N_("Your company's VAT number (Setup → Company)"),
            "company_registration_number": N_(
                "Your company's registration number: SIREN or "
                "SIRET in France, the qualified-invoice number (T + 13 digits) in Japan"
            ),
            "company_bank_details": N_(
                "Your bank details and payment instructions (Setup → Company), on several lines"
            ),
        },
    )
)
register_fields(
    FieldGroup(
        "staff",
        {
            "staff_firstname": N_("First name of the staff member who sends"),
            "staff_lastname": N_("Last name of the staff member who sends"),
            "staff_email": N_("Email address of the staff member who sends"),
            "email_signature": N_("Signature: the sender's own, else the space's global one"),
        },
    )
)
GLOBAL_GROUPS = ("company", "staff")
GLOBAL_FIELDS = fields_of(GLOBAL_GROUPS)


# Languages whose people write the family name first: 山田 太郎, not 太郎 山田.
FAMILY_NAME_FIRST = frozenset({"ja", "zh", "ko"})


def person_name(first: str, last: str, language: str) -> str:
    """A person's full name in the order of the language it is written in; the one place
    documents, their pages and emails put a first and a last name together."""
    parts = (last, first) if language in FAMILY_NAME_FIRST else (first, last)
    return " ".join(p.strip() for p in parts if p and p.strip())


def split_name(full_name: str) -> tuple[str, str]:
    first, _, last = (full_name or "").strip().partition(" ")
    return first, last.strip()


def _typography_for(text: str, charset: str) -> str:
    """CLDR uses U+202F as French thousands separator; fall back to spaces a charset has."""
    for fallback in ("\u202f", "\u00a0"):
        if fallback in text:
            try:
                fallback.encode(charset)
            except UnicodeEncodeError:
                text = text.replace(fallback, "\u00a0" if fallback == "\u202f" else " ")
    try:
        "\u00a0".encode(charset)
    except UnicodeEncodeError:
        text = text.replace("\u00a0", " ")
    return text


@functools.lru_cache(maxsize=64)
def _locale(language: str) -> Locale:
    """Parsed once: Babel parses a locale given by name on every call, several times per
    amount, which was a fifth of a bulk reminder run."""
    return Locale.parse(language)


def money(amount: Decimal, currency: str, language: str, charset: str = "utf-8") -> str:
    """An amount for a merge field: the language's format, spaces the charset can carry."""
    return _typography_for(format_currency(amount, currency, locale=_locale(language)), charset)


def day(value: date, language: str) -> str:
    """A date for a merge field, written out in the language."""
    return format_date(
        value, format="long" if language != "en" else "medium", locale=_locale(language)
    )


def lines_as_html(text: str) -> Markup:
    """Plain text of several lines (an address) as HTML that keeps its lines: each line
    escaped, joined with <br>; the text part gets the lines back."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return Markup("<br>").join(lines)


def merge_values(facts: MergeFacts, charset: str = "utf-8") -> dict[str, str | Markup]:
    """The values of every field these facts can fill. Absent facts leave their fields out.

    A group's values are limited to the fields it declared: it cannot set another's."""
    values: dict[str, str | Markup] = {
        "companyname": facts.company.name,
        "company_address": lines_as_html(facts.company.address),
        "company_vat_number": facts.company.vat_number,
        "company_registration_number": facts.company.registration_number,
        "company_bank_details": lines_as_html(facts.company.bank_details),
        "logo_url": facts.company.logo_url,
        "crm_url": facts.company.base_url,
        "staff_firstname": facts.staff.first_name,
        "staff_lastname": facts.staff.last_name,
        "staff_email": facts.staff.email,
        # Sanitized when it was saved; it goes into the HTML as HTML, never parsed for fields.
        "email_signature": Markup(facts.signature_html or ""),  # noqa: S704
    }
    for key, part in facts.parts.items():
        group = FIELD_GROUPS.get(key)
        if group is None or group.values is None:
            raise LookupError(f"no merge field group {key!r} makes values (not registered?)")
        made = group.values(part, facts.language, charset)
        if stray := set(made) - set(group.fields):
            raise ValueError(f"group {key!r} made fields it does not declare: {sorted(stray)}")
        values.update(made)
    return values


def recipient_of(facts: MergeFacts) -> str:
    """Whom an email with these facts is written to, as a preview's To line shows it."""
    for key, part in facts.parts.items():
        group = FIELD_GROUPS.get(key)
        if group is not None and group.recipient is not None:
            return group.recipient(part)
    return ""
