"""automatic customer emails: payment thank-you, estimate expiry reminders

Revision ID: 0016
Revises: 0015

Issue #12, items 1 and 2:
- Settings → Reminders gets "Email the customer when a payment is recorded"
  (reminder_settings.thank_you_enabled) and "Remind customers before an estimate expires" with
  "Days before the expiry date" (estimate_expiry_enabled, estimate_expiry_days). New spaces are
  created with both switches on (djaboo/spaces/creation.py); the spaces that exist when this
  runs get them OFF (the server default below), so that nobody starts emailing customers by
  surprise after an upgrade: an admin turns them on in Settings → Reminders.
- The reminder ledger holds estimates too: reminder_log.invoice_id becomes nullable, a nullable
  estimate_id joins it with its own unique key (estimate_id, stage, occurrence), and a check
  says each row is about exactly one document. The invoices' unique key is unchanged.
- payment.submit_key: the payment form's key, unique per invoice, so that a double submit or a
  retried request records one payment (and so one thank-you).
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

ONE_DOCUMENT = "(invoice_id IS NULL) <> (estimate_id IS NULL)"


def upgrade():
    with op.batch_alter_table("reminder_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("thank_you_enabled", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "estimate_expiry_enabled", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("estimate_expiry_days", sa.Integer(), server_default="3", nullable=False)
        )
    with op.batch_alter_table("reminder_log", schema=None) as batch_op:
        batch_op.alter_column("invoice_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("estimate_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_reminder_log_estimate_id_estimate"),
            "estimate",
            ["estimate_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_reminder_log_estimate_id_stage_occurrence"),
            ["estimate_id", "stage", "occurrence"],
        )
        batch_op.create_check_constraint(op.f("ck_reminder_log_one_document"), ONE_DOCUMENT)
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submit_key", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_payment_invoice_id_submit_key"), ["invoice_id", "submit_key"]
        )


def downgrade():
    with op.batch_alter_table("payment", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_payment_invoice_id_submit_key"), type_="unique")
        batch_op.drop_column("submit_key")
    # The estimates' ledger rows have no place in the older table.
    op.execute("DELETE FROM reminder_log WHERE estimate_id IS NOT NULL")
    with op.batch_alter_table("reminder_log", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_reminder_log_one_document"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("uq_reminder_log_estimate_id_stage_occurrence"), type_="unique"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_reminder_log_estimate_id_estimate"), type_="foreignkey"
        )
        batch_op.drop_column("estimate_id")
        batch_op.alter_column("invoice_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("reminder_settings", schema=None) as batch_op:
        batch_op.drop_column("estimate_expiry_days")
        batch_op.drop_column("estimate_expiry_enabled")
        batch_op.drop_column("thank_you_enabled")
