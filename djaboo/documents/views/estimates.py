"""What only estimates do: the customer's answer (recorded by staff or given on the public
page), and becoming an invoice."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, request
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from djaboo.documents.errors import DocumentRuleError
from djaboo.documents.estimating import answer_estimate, convert_to_invoice
from djaboo.documents.kinds import ESTIMATE
from djaboo.documents.views import bp
from djaboo.documents.views.common import detail_url, load_document
from djaboo.documents.views.public import public_page, shared_document
from djaboo.extensions import db
from djaboo.i18n import _, _l
from djaboo.notices.estimate_answers import notify_estimate_answer
from djaboo.spaces.clock import space_today
from djaboo.spaces.models import Space


def _answer() -> bool:
    """True to accept, False to decline; anything else is not an answer (400), never a
    decline by default."""
    answer = request.form.get("answer")
    if answer not in ("accept", "decline"):
        abort(400, "Choose Accept or Decline.")
    return answer == "accept"


def _today(document) -> date:
    return space_today(db.session.get(Space, document.space_id))


@bp.route("/estimates/<int:estimate_id>/answer", methods=["POST"])
@login_required
def estimate_answer(estimate_id: int):
    """Staff record the customer's answer given by phone or mail."""
    estimate = load_document(ESTIMATE, estimate_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        answer_estimate(estimate, _answer(), _today(estimate))
    except DocumentRuleError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(
            _(
                "Estimate %(number)s marked %(status)s.",
                number=estimate.number,
                status=str(ESTIMATE.status_word(estimate.status)).lower(),
            ),
            "success",
        )
    return redirect(detail_url(estimate))


@bp.route("/estimates/<int:estimate_id>/convert", methods=["POST"])
@login_required
def estimate_convert(estimate_id: int):
    estimate = load_document(ESTIMATE, estimate_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        invoice = convert_to_invoice(estimate, current_user, _today(estimate))
    except DocumentRuleError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(detail_url(estimate))
    db.session.commit()
    flash(
        _(
            "Invoice %(number)s created from estimate %(estimate)s.",
            number=invoice.number,
            estimate=estimate.number,
        ),
        "success",
    )
    return redirect(detail_url(invoice))


@bp.route("/p/estimate/<token>", methods=["POST"])
def estimate_public_answer(token: str):
    """The customer accepts or declines on the page the link opens (the same URL)."""
    estimate = shared_document(ESTIMATE, token)
    message = None
    if FlaskForm().validate_on_submit():
        accept = _answer()
        try:
            answer_estimate(estimate, accept, _today(estimate))
            notify_estimate_answer(estimate, _today(estimate))  # its owner hears of it
        except DocumentRuleError as exc:
            db.session.rollback()
            message = exc.args[0]  # lazy: written in the customer's language on the page
        else:
            db.session.commit()
            message = (
                _l("Thank you: the estimate is accepted.")
                if estimate.status == "accepted"
                else _l("The estimate is declined. Thank you for letting us know.")
            )
    return public_page(estimate, token, message)
