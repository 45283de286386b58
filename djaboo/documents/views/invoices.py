"""What only an invoice's page does: record a payment (and queue its thank-you)."""

from __future__ import annotations

from flask import flash, redirect
from flask_login import current_user, login_required

from djaboo.documents.errors import DocumentRuleError
from djaboo.documents.forms import PaymentForm
from djaboo.documents.kinds import INVOICE
from djaboo.documents.thank_you import record_payment_with_thanks
from djaboo.documents.views import bp
from djaboo.documents.views.common import detail_url, load_document
from djaboo.extensions import db
from djaboo.i18n import _


@bp.route("/invoices/<int:invoice_id>/payments", methods=["POST"])
@login_required
def invoice_payment(invoice_id: int):
    invoice = load_document(INVOICE, invoice_id)
    form = PaymentForm()
    if not form.validate_on_submit():
        problems = _("; ").join(
            _(
                "%(field)s: %(errors)s",
                field=form[name].label.text,
                errors=" ".join(map(str, errors)),
            )
            for name, errors in form.errors.items()
        )
        flash(_("Payment not recorded: %(problems)s", problems=problems), "error")
    else:
        try:
            recorded = record_payment_with_thanks(
                invoice,
                current_user,
                form.amount.data,
                form.paid_on.data,
                form.note.data or "",
                form.submit_key.data or None,
            )
        except DocumentRuleError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            if recorded.created:
                flash(_("Payment recorded. %(thank_you)s", thank_you=recorded.thank_you), "success")
            else:
                flash(_("This payment was already recorded; it was not recorded twice."), "info")
    return redirect(detail_url(invoice))
