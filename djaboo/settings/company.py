"""Setup → Company: reading the space's legal details for documents and emails, and saving
the form (every field in one go; the caller commits)."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from flask import current_app

from djaboo.config import require_base_url
from djaboo.extensions import db
from djaboo.mail.fields import CompanyFacts
from djaboo.settings.defaults import default_company_profile
from djaboo.settings.logo import Logo
from djaboo.settings.models import CompanyProfile
from djaboo.spaces.models import Space

PLAIN_FIELDS = (
    "legal_name",
    "address",
    "country",
    "vat_number",
    "registration_number",
    "bank_details",
    "payment_terms_days",
    "late_penalty_text",
    "recovery_indemnity_text",
    "early_payment_discount_text",
)
LOGO_PATH = "/logo/{key}.png"
DEFAULT_PAYMENT_TERMS = 30


def company_profile_for(space: Space) -> CompanyProfile:
    """The space's row (created with the space; found in the session once loaded). Should it
    be missing, the defaults, not stored: reading never writes."""
    return db.session.get(CompanyProfile, space.id) or default_company_profile(space)


def payment_terms_of(space_id: int) -> int:
    """Days from an invoice's date to its due date, unless someone chooses another."""
    profile = db.session.get(CompanyProfile, space_id)
    return profile.payment_terms_days if profile is not None else DEFAULT_PAYMENT_TERMS


def apply_company(profile: CompanyProfile, form, logo: Logo | None) -> None:
    """Copy a validated CompanyForm onto the row; a new logo replaces the old one, and
    "Remove the logo" removes it."""
    for name in PLAIN_FIELDS:
        setattr(profile, name, getattr(form, name).data)
    if logo is not None:
        profile.logo_png, profile.logo_sha256 = logo.png, logo.sha256
    elif form.remove_logo.data:
        profile.logo_png, profile.logo_sha256 = None, ""


def logo_url(profile: CompanyProfile) -> str:
    """The logo's public address on BASE_URL ({logo_url}), "" without a logo."""
    if not profile.has_logo:
        return ""
    return require_base_url(current_app.config) + LOGO_PATH.format(key=profile.logo_key)


def logo_data_url(profile: CompanyProfile) -> str:
    """The logo inside the document (a PDF fetches nothing), "" without a logo."""
    if not profile.has_logo or not profile.logo_png:
        return ""
    return "data:image/png;base64," + base64.b64encode(profile.logo_png).decode()


@dataclass(frozen=True)
class Seller:
    """What a document says about who issues it (the sheet's plain facts)."""

    name: str
    address: str
    country: str
    vat_number: str
    registration_number: str
    bank_details: str
    late_penalty_text: str
    recovery_indemnity_text: str
    early_payment_discount_text: str
    has_logo: bool
    logo_key: str


def seller_of(space: Space) -> Seller:
    profile = company_profile_for(space)
    return Seller(
        name=profile.legal_name or space.name,
        address=profile.address,
        country=profile.country,
        vat_number=profile.vat_number,
        registration_number=profile.registration_number,
        bank_details=profile.bank_details,
        late_penalty_text=profile.late_penalty_text,
        recovery_indemnity_text=profile.recovery_indemnity_text,
        early_payment_discount_text=profile.early_payment_discount_text,
        has_logo=profile.has_logo,
        logo_key=profile.logo_key or "",
    )


def company_merge_facts(space: Space, fallback_logo_url: str = "") -> CompanyFacts:
    """The {company…} fields of every email: the uploaded logo first, else the Logo URL of
    Settings → Email."""
    profile = company_profile_for(space)
    return CompanyFacts(
        name=space.name,
        base_url=require_base_url(current_app.config),
        logo_url=logo_url(profile) or fallback_logo_url,
        address=profile.address,
        vat_number=profile.vat_number,
        registration_number=profile.registration_number,
        bank_details=profile.bank_details,
    )
