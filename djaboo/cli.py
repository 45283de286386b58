"""The `djaboo` command: Flask's commands (run, db, shell) plus spaces and demo data."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import FlaskGroup

from djaboo.extensions import db


def _create_app() -> Flask:
    from djaboo import create_app

    return create_app()


main = FlaskGroup(
    create_app=_create_app,
    help="Djaboo Mail. `djaboo db upgrade` migrates, `djaboo run` serves, `djaboo demo` seeds.",
)


@click.group("spaces", help="Create and list spaces (company workspaces).")
def spaces() -> None:
    pass


@spaces.command("create")
@click.option("--name", required=True, help="The company's name.")
@click.option("--admin-email", required=True, help="Sign-in address of the first admin.")
@click.option("--admin-name", default="", help="The admin's display name.")
@click.option(
    "--admin-password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Prompted for when not given.",
)
def spaces_create(name: str, admin_email: str, admin_name: str, admin_password: str) -> None:
    """Create a space and its first admin in one transaction."""
    from djaboo.spaces.creation import create_space

    try:
        admin = create_space(name, admin_email, admin_password, admin_name)
    except ValueError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(
        f"Created space {admin.space.id} {admin.space.name!r}; admin {admin.email} can sign in."
    )


@spaces.command("list")
def spaces_list() -> None:
    """One line per space: id, name, number of users, admins."""
    from djaboo.spaces.models import Space
    from djaboo.staff.models import User

    rows = db.session.execute(sa.select(Space).order_by(Space.id)).scalars().all()
    if not rows:
        click.echo(
            "No spaces yet. Create one with: djaboo spaces create --name ... --admin-email ..."
        )
    for space in rows:
        users = (
            db.session.execute(
                sa.select(User).where(User.space_id == space.id).order_by(User.email)
            )
            .scalars()
            .all()
        )
        admins = ", ".join(u.email for u in users if u.is_admin and u.active) or "-"
        click.echo(f"{space.id}\t{space.name}\t{len(users)} users\tadmins: {admins}")


@click.command("demo", help="Create the demo space and its users (once) and print how to sign in.")
def demo() -> None:
    from djaboo.demo import DEMO_USERS, ensure_demo_space

    created = ensure_demo_space()
    db.session.commit()
    click.echo("Demo space " + ("created." if created else "already present."))
    for email, password, role in DEMO_USERS:
        click.echo(f"  {role:<5}  {email}  password: {password}")


def init_app(app: Flask) -> None:
    app.cli.add_command(spaces)
    app.cli.add_command(demo)
