"""outbox claim token; PostgreSQL wakes mail workers when mail is queued

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# The worker LISTENs on this channel (djaboo/mail/wakeup.py). A trigger sends it, so every way
# a row becomes due (a send, a resend, a reminder run's bulk insert, lifting a pause) wakes the
# workers, in the same transaction: PostgreSQL delivers it at commit, never for a rollback.
WAKE_FUNCTION = """
CREATE FUNCTION djaboo_outbox_wake() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('djaboo_outbox', '');
    RETURN NULL;
END
$$
"""
TRIGGERS = (
    # Once per INSERT statement: a reminder run's 2,000-row insert sends one notification.
    "CREATE TRIGGER outbox_wake_on_insert AFTER INSERT ON outbox_message "
    "FOR EACH STATEMENT EXECUTE FUNCTION djaboo_outbox_wake()",
    # A row queued again (resend, pause lifted, a claim given back); identical notifications of
    # one transaction are folded into one by PostgreSQL.
    "CREATE TRIGGER outbox_wake_on_requeue AFTER UPDATE OF status ON outbox_message "
    "FOR EACH ROW WHEN (NEW.status = 'queued' AND OLD.status <> 'queued') "
    "EXECUTE FUNCTION djaboo_outbox_wake()",
)


def upgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("claim_token", sa.String(length=32), server_default="", nullable=False)
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(WAKE_FUNCTION)
        for trigger in TRIGGERS:
            op.execute(trigger)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER outbox_wake_on_requeue ON outbox_message")
        op.execute("DROP TRIGGER outbox_wake_on_insert ON outbox_message")
        op.execute("DROP FUNCTION djaboo_outbox_wake()")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("claim_token")
