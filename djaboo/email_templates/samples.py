"""The sample the editor previews with: each registered field group's sample facts."""

from __future__ import annotations

from datetime import date

from djaboo.mail.fields import FIELD_GROUPS, CompanyFacts, MergeFacts, StaffFacts


def sample_facts(
    language: str,
    company: CompanyFacts,
    staff: StaffFacts,
    signature_html: str,
    today: date,
) -> MergeFacts:
    return MergeFacts(
        company=company,
        language=language,
        staff=staff,
        signature_html=signature_html,
        parts={
            group.key: group.sample(language, today, company.base_url)
            for group in FIELD_GROUPS.values()
            if group.sample is not None
        },
    )
