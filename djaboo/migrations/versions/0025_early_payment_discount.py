"""company: the early-payment discount terms of a French invoice

Revision ID: 0025
Revises: 0024

Issue #13, item 3: a French B2B invoice states its "conditions d'escompte" (Code de commerce,
L441-9), as it states the late-payment penalties. company_profile gets the text, editable in
Setup → Company; every existing space gets the usual mention, as a new space does.
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

# As the app ships it at this revision (djaboo/settings/models.py).
NO_DISCOUNT = "Pas d'escompte pour paiement anticipé"


def upgrade():
    with op.batch_alter_table("company_profile", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "early_payment_discount_text",
                sa.String(length=500),
                nullable=False,
                server_default=NO_DISCOUNT,
            )
        )
    # The app writes the value itself (the model's default); no server default is kept.
    with op.batch_alter_table("company_profile", schema=None) as batch_op:
        batch_op.alter_column("early_payment_discount_text", server_default=None)


def downgrade():
    with op.batch_alter_table("company_profile", schema=None) as batch_op:
        batch_op.drop_column("early_payment_discount_text")
