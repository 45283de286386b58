"""What only an invoice's page does: record a payment."""

from __future__ import annotations

from flask import flash, redirect
from flask_login import current_user, login_required

from djaboo.documents.errors import DocumentRuleError
from djaboo.documents.forms import PaymentForm
from djaboo.documents.invoicing import record_payment
from djaboo.documents.kinds import INVOICE
from djaboo.documents.views import bp
from djaboo.documents.views.common import detail_url, load_document
from djaboo.extensions import db


@bp.route("/invoices/<int:invoice_id>/payments", methods=["POST"])
@login_required
def invoice_payment(invoice_id: int):
    invoice = load_document(INVOICE, invoice_id)
    form = PaymentForm()
    if not form.validate_on_submit():
        flash(
            "Payment not recorded: "
            + "; ".join(
                f"{form[name].label.text}: {' '.join(errors)}"
                for name, errors in form.errors.items()
            ),
            "error",
        )
    else:
        try:
            record_payment(
                invoice, current_user, form.amount.data, form.paid_on.data, form.note.data or ""
            )
        except DocumentRuleError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash("Payment recorded.", "success")
    return redirect(detail_url(invoice))
