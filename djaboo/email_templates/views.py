"""Setup → Email Templates: admins edit; every staff member may look and preview."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from djaboo.db import get_in_space_or_404, space_select
from djaboo.email_templates.catalogue import reset_to_default
from djaboo.email_templates.forms import ConfirmForm, DefaultLanguageForm, TemplateForm
from djaboo.email_templates.models import EmailTemplate
from djaboo.email_templates.preview import build_preview
from djaboo.email_templates.preview_sources import chosen_facts, preview_choices
from djaboo.extensions import db
from djaboo.i18n import _
from djaboo.mail.compose import TemplateText
from djaboo.mail.events import EVENTS, LANGUAGES
from djaboo.mail.sanitize import sanitize_html
from djaboo.request_guard import query_id
from djaboo.security_headers import shows_email_preview
from djaboo.settings.email_settings import email_settings_for
from djaboo.staff.permissions import admin_required

bp = Blueprint("email_templates", __name__, url_prefix="/email-templates")


def _template(template_id: int) -> EmailTemplate:
    return get_in_space_or_404(db.session, EmailTemplate, template_id, current_user.space_id)


def _form(template: EmailTemplate, **kwargs) -> TemplateForm:
    settings = email_settings_for(current_user.space)
    return TemplateForm(
        obj=template,
        allowed_fields=EVENTS[template.event].fields,
        required_fields=EVENTS[template.event].required,
        charset=settings.charset,
        **kwargs,
    )


def _preview_of(template: EmailTemplate, form: TemplateForm | None = None):
    source = form if form is not None else template
    text = TemplateText(
        subject=_value(source, "subject"),
        body_html=sanitize_html(_value(source, "body_html")),
        plain_text=bool(_value(source, "plain_text")),
    )
    settings = email_settings_for(current_user.space)
    facts = chosen_facts(
        template, request.values.get("preview_document", type=query_id), current_user, settings
    )
    return build_preview(
        text,
        template.language,
        _value(source, "from_name"),
        current_user.space,
        settings,
        current_user,
        facts,
    )


def _value(source, name):
    value = getattr(source, name)
    return value.data if hasattr(value, "data") else value


@bp.route("")
@login_required
def template_list():
    rows = db.session.execute(space_select(EmailTemplate, current_user.space_id)).scalars()
    grid = {(t.event, t.language): t for t in rows}
    language_form = DefaultLanguageForm(default_language=current_user.space.default_language)
    return render_template(
        "email_templates/list.html",
        events=EVENTS,
        languages=LANGUAGES,
        grid=grid,
        language_form=language_form,
    )


@bp.route("/default-language", methods=["POST"])
@admin_required
def default_language():
    form = DefaultLanguageForm()
    if form.validate_on_submit():
        current_user.space.default_language = form.default_language.data
        db.session.commit()
        flash(_("Default language saved."), "success")
    return redirect(url_for("email_templates.template_list"))


@bp.route("/<int:template_id>", methods=["GET", "POST"])
@admin_required
@shows_email_preview
def edit(template_id: int):
    template = _template(template_id)
    form = _form(template)
    status = 200
    if form.validate_on_submit():
        if request.form.get("action") != "preview":
            form.populate_obj(template)
            template.body_html = sanitize_html(template.body_html)
            db.session.commit()
            flash(_("Template saved."), "success")
            return redirect(url_for("email_templates.edit", template_id=template.id))
    elif form.is_submitted():
        status = 400
    preview = None  # invalid input is never previewed: the errors say what to fix
    if not form.errors:
        preview = _preview_of(template, form if form.is_submitted() else None)
    return render_template(
        "email_templates/edit.html",
        template=template,
        form=form,
        event=EVENTS[template.event],
        language=LANGUAGES[template.language],
        preview=preview,
        reset_form=ConfirmForm(),
        documents=preview_choices(template.event, current_user.space_id),
        chosen=request.values.get("preview_document", type=query_id),
    ), status


@bp.route("/<int:template_id>/preview", methods=["POST"])
@admin_required
def live_preview(template_id: int):
    """JSON for the editor's live preview of what is typed (nothing is saved)."""
    template = _template(template_id)
    form = _form(template)
    if not form.validate():
        return jsonify(errors=dict(form.errors)), 400  # invalid input is never previewed
    preview = _preview_of(template, form)
    return jsonify(preview.as_json())


@bp.route("/<int:template_id>/preview")
@login_required
@shows_email_preview
def preview_page(template_id: int):
    """The saved template as the signed-in user would send it (any role)."""
    template = _template(template_id)
    return render_template(
        "email_templates/preview.html",
        template=template,
        event=EVENTS[template.event],
        language=LANGUAGES[template.language],
        preview=_preview_of(template),
    )


@bp.route("/<int:template_id>/reset", methods=["POST"])
@admin_required
def reset(template_id: int):
    template = _template(template_id)
    if ConfirmForm().validate_on_submit():
        reset_to_default(template)
        db.session.commit()
        flash(_("The shipped text is back."), "success")
    return redirect(url_for("email_templates.edit", template_id=template.id))
