"""Demo data for a first look on a laptop: one space, an admin and a staff member.

The passwords are fixed and printed because the demo runs on 127.0.0.1 only; never seed a
reachable server with it.
"""

from __future__ import annotations

import sqlalchemy as sa

from djaboo.extensions import db
from djaboo.settings.email_settings import email_settings_for
from djaboo.spaces.creation import create_space
from djaboo.staff.accounts import create_user, set_signature
from djaboo.staff.models import User

DEMO_SPACE_NAME = "Demo Company"
DEMO_USERS = [
    ("admin@demo.example", "demo-admin-password", "admin"),
    ("staff@demo.example", "demo-staff-password", "staff"),
]


def ensure_demo_space(mail_port: int = 2525) -> bool:
    """Create the demo space unless its admin already exists; True when it was created.

    Its mail goes to the local mail catcher on 127.0.0.1:mail_port (no login, no TLS: it never
    leaves this machine).
    """
    admin_email, admin_password, _ = DEMO_USERS[0]
    exists = db.session.execute(sa.select(User.id).where(User.email == admin_email)).first()
    if exists:
        return False
    admin = create_space(DEMO_SPACE_NAME, admin_email, admin_password, "Ada Admin")
    staff_email, staff_password, _ = DEMO_USERS[1]
    staff = create_user(
        admin.space, email=staff_email, name="Sam Staff", role="staff", password=staff_password
    )
    set_signature(staff, "<p>Best regards,<br><strong>Sam Staff</strong><br>Demo Company</p>")
    settings = email_settings_for(admin.space)
    settings.protocol, settings.encryption = "smtp", "none"
    settings.host, settings.port = "127.0.0.1", mail_port
    settings.from_email, settings.from_name = "billing@demo.example", DEMO_SPACE_NAME
    return True
