"""Forgot your password?: one answer for every address, a link only to an active account's,
throttled per address and per client.

Whether the address has an account, is deactivated, is throttled or gets a link, the page says
the same and takes about as long: the email is composed and recorded in the request (the mail
worker sends it), and an address without an account gets a decoy composed and thrown away
instead, so that no stopwatch tells them apart by orders of magnitude.
"""

from __future__ import annotations

import contextlib
import logging

from flask import current_app

from djaboo.email_templates.catalogue import shipped_template, template_for
from djaboo.email_templates.models import EmailTemplate
from djaboo.email_templates.preview import company_facts, staff_facts
from djaboo.mail.compose import Composed, TemplateText, compose_email
from djaboo.mail.fields import CompanyFacts, MergeFacts, StaffFacts, merge_values
from djaboo.mail.message import MessageError, Party
from djaboo.mail.recording import NewEmail, record_email
from djaboo.settings.email_settings import email_settings_for
from djaboo.spaces.models import Space
from djaboo.staff.accounts import find_user_by_email
from djaboo.staff.mail_events import PASSWORD_RESET, ResetFacts
from djaboo.staff.models import PasswordReset, User
from djaboo.staff.password_reset import create_reset, reset_link
from djaboo.staff.throttle import record_reset_request, reset_request_allowed

log = logging.getLogger(__name__)
EVENT = PASSWORD_RESET.key
LINK_FIELD = "{password_reset_link}"


def request_password_reset(email: str, ip: str) -> str:
    """Handle one request for a link to `email` (normalized) from client `ip`; the caller
    commits and shows the one answer whatever this returns (what happened, for logs and
    tests): "throttled", "no account", "deactivated", "template inactive" or "queued"."""
    cfg = current_app.config
    if not reset_request_allowed(
        email,
        ip,
        per_email=cfg["PASSWORD_RESET_MAX_PER_EMAIL"],
        email_window=cfg["PASSWORD_RESET_EMAIL_WINDOW"],
        per_ip=cfg["PASSWORD_RESET_MAX_PER_IP"],
        ip_window=cfg["PASSWORD_RESET_IP_WINDOW"],
    ):
        log.warning("password reset throttled: %r from %s; nothing sent", email, ip)
        return "throttled"
    keep = max(cfg["PASSWORD_RESET_EMAIL_WINDOW"], cfg["PASSWORD_RESET_IP_WINDOW"])
    record_reset_request(email, ip, keep)
    user = find_user_by_email(email)
    if user is None or not user.active:
        _compose_decoy(email)
        outcome = "no account" if user is None else "deactivated"
        log.info("password reset asked for %r from %s: %s, nothing sent", email, ip, outcome)
        return outcome
    template = template_for(user.space_id, EVENT, user.space.default_language)
    if not template.active:
        _compose_decoy(email)
        log.warning(
            "password reset asked for user %s: the space's Password reset template is "
            "inactive, nothing sent",
            user.id,
        )
        return "template inactive"
    reset, token = create_reset(user)
    queue_reset_email(user, reset, token, template)
    log.info("password reset link queued for user %s (reset %s) from %s", user.id, reset.id, ip)
    return "queued"


def queue_reset_email(
    user: User, reset: PasswordReset, token: str, template: EmailTemplate | None = None
) -> None:
    """Record the email with the link for the mail worker, sent through the user's space's
    mail settings; one that cannot be made is recorded as needing attention, so the space's
    admins see why nothing arrived."""
    try:
        composed, problem = compose_reset_email(user, token, template), ""
    except MessageError as exc:
        composed, problem = None, exc.message
    record_email(
        NewEmail(
            space_id=user.space_id,
            origin="password_reset",
            key=f"password-reset:{reset.id}",
            composed=composed,
            event=EVENT,
            problem=problem,
            to_display=user.email,
            subject="Password reset",
        )
    )


def compose_reset_email(user: User, token: str, template: EmailTemplate | None = None) -> Composed:
    """The space's "Password reset (to staff)" template in its default language, wrapped and
    signed (with the space's signature) like every email. Never to the space's BCC address:
    a copy of the link opens the account."""
    space = user.space
    settings = email_settings_for(space)
    template = template or template_for(space.id, EVENT, space.default_language)
    text = TemplateText(template.subject, template.body_html, template.plain_text)
    if LINK_FIELD not in template.body_html:  # the editor refuses this; a stored row may not
        shipped = shipped_template(space.id, EVENT, template.language)
        text = TemplateText(shipped.subject, shipped.body_html, template.plain_text)
    texts = settings.texts_in(template.language)  # signature, header, footer in its language
    facts = MergeFacts(
        company=company_facts(space, settings),
        language=template.language,
        staff=staff_facts(user),
        signature_html=texts.signature_html,
        parts={"password_reset": ResetFacts(reset_link(token))},
    )
    return compose_email(
        template=text,
        wrapper=texts.wrapper,
        values=merge_values(facts, settings.charset),
        sender=Party(settings.from_email, template.from_name or settings.from_name or space.name),
        to=[Party(user.email, user.name)],
        charset=settings.charset,
        automatic=True,  # Auto-Submitted: no out-of-office reply comes back
    )


def _compose_decoy(email: str) -> None:
    """About the work of a real reset email, for an address that gets none: the same reads
    (of a space that does not exist: nothing is found) and the same composing."""
    settings = email_settings_for(Space(id=0, name="Djaboo Mail"))
    template = template_for(0, EVENT, "en")
    texts = settings.texts_in("en")
    facts = MergeFacts(
        company=CompanyFacts("Djaboo Mail", "https://decoy.invalid"),
        staff=StaffFacts("Decoy", "", email),
        signature_html=texts.signature_html,
        parts={"password_reset": ResetFacts("https://decoy.invalid/reset-password/x")},
    )
    with contextlib.suppress(MessageError):
        compose_email(
            template=TemplateText(template.subject, template.body_html),
            wrapper=texts.wrapper,
            values=merge_values(facts),
            sender=Party("decoy@decoy.invalid", "Djaboo Mail"),
            to=[Party(email)],
            automatic=True,
        )
