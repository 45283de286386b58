"""company details; signature, header and footer per language

Revision ID: 0021
Revises: 0020

Issue #13, items 2 and 3:
- company_profile: Setup → Company, one row per space (keyed by the space): legal name,
  address, country, VAT and registration numbers, bank details, payment terms, the French
  invoice mentions, the logo (a PNG the app re-encoded) and the random key of its public
  address. Every existing space gets its row (pages only read), with a new key.
- email_wrapper: the signature, header and footer per space and language. Each space's
  current texts become those of its default language; the other languages get the texts the
  app ships in them. The three columns of email_settings go.
The tables are written through frozen definitions, not the app's models.
"""

import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from markupsafe import escape

from djaboo.db import UTCDateTime

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

LANGUAGES = ("en", "fr", "ja")
# As the app ships them at this revision (djaboo/settings/defaults.py).
HEADER = (
    '<div style="padding:0 0 12px;margin:0 0 20px;border-bottom:2px solid #2453d6;'
    'font-size:18px;font-weight:bold;color:#1d2330">{companyname}</div>'
)
FOOTER_STYLE = (
    '<div style="margin:28px 0 0;padding:12px 0 0;border-top:1px solid #dfe3ea;'
    'font-size:12px;color:#6b7385">'
)
SHIPPED = {
    "en": (
        "<p>Kind regards,<br>{name}</p>",
        f"{FOOTER_STYLE}This email was sent to you by "
        "{companyname}. Reply to it if you have any question.</div>",
    ),
    "fr": (
        "<p>Cordialement,<br>{name}</p>",
        f"{FOOTER_STYLE}Cet e-mail vous a été envoyé par {{companyname}}. Pour toute "
        "question, il vous suffit d'y répondre.</div>",
    ),
    "ja": (
        "<p>今後ともよろしくお願い申し上げます。<br>{name}</p>",
        f"{FOOTER_STYLE}本メールは{{companyname}}よりお送りしています。ご不明な点がございましたら、"
        "本メールにご返信ください。</div>",
    ),
}
LATE_PENALTY = "Pénalités de retard : trois fois le taux d'intérêt légal"
RECOVERY_INDEMNITY = "Indemnité forfaitaire pour frais de recouvrement : 40 €"
TEXTS = ("signature_html", "header_html", "footer_html")

company_profile = sa.table(
    "company_profile",
    *(sa.column(n) for n in (
        "space_id legal_name address country vat_number registration_number bank_details "
        "payment_terms_days late_penalty_text recovery_indemnity_text logo_sha256 logo_key"
    ).split()),
    sa.column("updated_at", UTCDateTime),
)
email_wrapper = sa.table(
    "email_wrapper",
    *(sa.column(n) for n in ("space_id", "language", *TEXTS)),
    sa.column("updated_at", UTCDateTime),
)


def upgrade():
    op.create_table(
        "company_profile",
        sa.Column("space_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("legal_name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("vat_number", sa.String(length=40), nullable=False),
        sa.Column("registration_number", sa.String(length=40), nullable=False),
        sa.Column("bank_details", sa.Text(), nullable=False),
        sa.Column("payment_terms_days", sa.Integer(), nullable=False),
        sa.Column("late_penalty_text", sa.String(length=500), nullable=False),
        sa.Column("recovery_indemnity_text", sa.String(length=500), nullable=False),
        sa.Column("logo_png", sa.LargeBinary(), nullable=True),
        sa.Column("logo_sha256", sa.String(length=64), nullable=False),
        sa.Column("logo_key", sa.String(length=32), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "payment_terms_days BETWEEN 0 AND 365",
            name=op.f("ck_company_profile_payment_terms_days"),
        ),
        sa.ForeignKeyConstraint(
            ["space_id"],
            ["space.id"],
            name=op.f("fk_company_profile_space_id_space"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("space_id", name=op.f("pk_company_profile")),
        sa.UniqueConstraint("logo_key", name=op.f("uq_company_profile_logo_key")),
    )
    op.create_table(
        "email_wrapper",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("space_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("signature_html", sa.Text(), nullable=False),
        sa.Column("header_html", sa.Text(), nullable=False),
        sa.Column("footer_html", sa.Text(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["space_id"],
            ["space.id"],
            name=op.f("fk_email_wrapper_space_id_space"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_wrapper")),
        sa.UniqueConstraint(
            "space_id", "language", name=op.f("uq_email_wrapper_space_id_language")
        ),
    )

    bind = op.get_bind()
    now = datetime.now(UTC)
    spaces = bind.execute(sa.text("SELECT id, name, default_language FROM space")).all()
    current = {
        row.space_id: row
        for row in bind.execute(
            sa.text("SELECT space_id, signature_html, header_html, footer_html FROM email_settings")
        )
    }
    for space_id, name, default_language in spaces:
        bind.execute(company_profile.insert().values(
            space_id=space_id, legal_name="", address="", country="", vat_number="",
            registration_number="", bank_details="", payment_terms_days=30,
            late_penalty_text=LATE_PENALTY, recovery_indemnity_text=RECOVERY_INDEMNITY,
            logo_sha256="", logo_key=secrets.token_urlsafe(12), updated_at=now,
        ))
        for language in LANGUAGES:
            signature, footer = SHIPPED[language]
            texts = {
                "signature_html": signature.format(name=escape(name)),
                "header_html": HEADER,
                "footer_html": footer,
            }
            own = current.get(space_id)
            if own is not None and language == (default_language or "en"):
                texts = {text: getattr(own, text) or "" for text in TEXTS}
            bind.execute(email_wrapper.insert().values(
                space_id=space_id, language=language, updated_at=now, **texts
            ))

    with op.batch_alter_table("email_settings", schema=None) as batch_op:
        for text in TEXTS:
            batch_op.drop_column(text)


def downgrade():
    with op.batch_alter_table("email_settings", schema=None) as batch_op:
        for text in TEXTS:
            batch_op.add_column(sa.Column(text, sa.Text(), server_default="", nullable=False))
    # Back to one text each: the default language's.
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT w.space_id, w.signature_html, w.header_html, w.footer_html "
            "FROM email_wrapper w JOIN space s ON s.id = w.space_id "
            "WHERE w.language = s.default_language"
        )
    ).all()
    for space_id, signature, header, footer in rows:
        bind.execute(
            sa.text(
                "UPDATE email_settings SET signature_html = :signature, header_html = :header, "
                "footer_html = :footer WHERE space_id = :space_id"
            ),
            {"signature": signature, "header": header, "footer": footer, "space_id": space_id},
        )
    op.drop_table("email_wrapper")
    op.drop_table("company_profile")
