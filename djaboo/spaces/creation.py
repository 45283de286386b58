"""Creating a space together with its first admin: the one way a space comes into being."""

from __future__ import annotations

from djaboo.documents.models import ReminderSettings
from djaboo.email_templates.catalogue import ensure_templates
from djaboo.extensions import db
from djaboo.i18n import _
from djaboo.settings.defaults import default_company_profile, default_email_settings
from djaboo.spaces.models import Space
from djaboo.staff.accounts import create_user
from djaboo.staff.models import User


def create_space(name: str, admin_email: str, admin_password: str, admin_name: str = "") -> User:
    """Add a space and its first admin to the session (flushed, not committed); return the admin.

    Raises ValueError with a readable sentence when the name, email or password is unusable.
    """
    name = (name or "").strip()
    if not name:
        raise ValueError(_("A space needs a name."))
    if len(name) > 120:
        raise ValueError(_("A space name has at most 120 characters."))
    space = Space(name=name)
    db.session.add(space)
    db.session.flush()
    # Everything a space reads is created with it: pages only ever read (GET never writes).
    db.session.add(default_email_settings(space))
    db.session.add(default_company_profile(space))
    db.session.add(ReminderSettings.defaults(space.id))
    ensure_templates(space.id)
    return create_user(
        space,
        email=admin_email,
        name=admin_name or admin_email.split("@")[0],
        role="admin",
        password=admin_password,
    )
