"""The `djaboo` command: Flask's commands (run, db, shell) plus spaces, staff and demo data."""

from __future__ import annotations

import contextlib
import inspect
import signal

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import FlaskGroup, ScriptInfo, run_command

from djaboo.config import ConfigError, normalized_base_url, require_base_url
from djaboo.extensions import db
from djaboo.i18n import _, with_language


def _create_app() -> Flask:
    from djaboo import create_app

    # Admin commands compose no email and must work before BASE_URL is known; the commands
    # that do compose emails call _require_base_url() (run derives it from --host/--port).
    return create_app(require_base_url=False)


main = FlaskGroup(
    create_app=_create_app,
    help="Djaboo Mail. `djaboo db upgrade` migrates, `djaboo run` serves, `djaboo demo` seeds.",
)


def _require_base_url() -> None:
    try:
        require_base_url(current_app.config)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def _run_dev_server(**options) -> None:
    """Flask's `run`, with BASE_URL defaulting to the address it serves on."""
    try:
        app = click.get_current_context().ensure_object(ScriptInfo).load_app()
    except Exception:
        app = None  # Flask's run reports it (or serves it as an error page when reloading)
    if app is not None and not app.config["BASE_URL"]:
        scheme = "https" if options.get("cert") else "http"
        host, port = options["host"], options["port"]
        address = f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"
        try:
            app.config["BASE_URL"] = normalized_base_url(address)
        except ConfigError as exc:
            raise click.ClickException(_("%(error)s Set DJABOO_BASE_URL.", error=exc)) from None
    run_command.callback(**options)


main.add_command(
    click.Command(
        "run",
        callback=_run_dev_server,
        params=run_command.params,
        help=inspect.cleandoc(run_command.help or "")
        + "\n\nLinks in emails start with BASE_URL, by default this server's address.",
        short_help=run_command.short_help,
    )
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
    with with_language(admin.space.default_language):
        click.echo(
            _(
                "Created space %(id)s %(name)s; admin %(email)s can sign in.",
                id=admin.space.id,
                name=repr(admin.space.name),
                email=admin.email,
            )
        )


@spaces.command("list")
def spaces_list() -> None:
    """One line per space: id, name, number of users, admins."""
    from djaboo.spaces.models import Space
    from djaboo.staff.models import User

    rows = db.session.execute(sa.select(Space).order_by(Space.id)).scalars().all()
    if not rows:
        click.echo(
            _("No spaces yet. Create one with: djaboo spaces create --name ... --admin-email ...")
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
        with with_language(space.default_language):
            line = _(
                "%(id)s\t%(name)s\t%(count)s users\tadmins: %(admins)s",
                id=space.id,
                name=space.name,
                count=len(users),
                admins=admins,
            )
        click.echo(line)


@click.group("staff", help="Staff accounts.")
def staff() -> None:
    pass


@staff.command("reset-password")
@click.argument("email")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Set the password read from standard input (one line) instead of printing a link.",
)
def staff_reset_password(email: str, password_stdin: bool) -> None:
    """For when mail is broken: print a link for EMAIL to choose a new password (on BASE_URL,
    works once, for an hour), or set the password read from standard input. Once the password
    is set, every session of the account ends. The password is never printed."""
    import sys

    from djaboo.staff.accounts import AccountError, find_user_by_email, set_password
    from djaboo.staff.password_reset import create_reset, reset_link
    from djaboo.staff.throttle import clear_failures

    with _database_answers(), contextlib.ExitStack() as stack:
        user = find_user_by_email(email)
        if user is None:
            raise click.ClickException(
                _("No staff member signs in as %(email)s.", email=repr(email.strip()))
            )
        # The operator reads the space's default language (the CLI has no reader of its own).
        stack.enter_context(with_language(user.space.default_language))
        if not password_stdin:
            _require_base_url()
            if not user.active:
                raise click.ClickException(
                    _(
                        "%(email)s is deactivated: a link would not work. An admin of its space "
                        "activates it (Setup → Staff), or set a password with --password-stdin.",
                        email=user.email,
                    )
                )
            _reset, token = create_reset(user)
            db.session.commit()
            click.echo(
                _(
                    "A link for %(email)s to choose a new password (once, within an hour):",
                    email=user.email,
                )
            )
            click.echo(reset_link(token))
            return
        password = sys.stdin.readline(1025).rstrip("\r\n")
        if len(password) > 1024:
            raise click.ClickException(_("A password has at most 1024 characters."))
        try:
            set_password(user, password)
        except AccountError as exc:
            raise click.ClickException(str(exc)) from None
        clear_failures(user.email, current_app.config["LOGIN_FAILURE_WINDOW"])
        db.session.commit()
        click.echo(
            _(
                "The password of %(email)s is set; every session of the account ended.",
                email=user.email,
            )
        )
        if not user.active:
            click.echo(_("It is deactivated: it signs in once an admin of its space activates it."))


@click.command("demo", help="Create the demo space and its users (once) and print how to sign in.")
@click.option(
    "--mail-port",
    default=2525,
    show_default=True,
    help="Port of the local mail catcher the demo space sends through.",
)
def demo(mail_port: int) -> None:
    from djaboo.demo import DEMO_USERS, ensure_demo_space

    created = ensure_demo_space(mail_port)
    db.session.commit()
    click.echo(_("Demo space created.") if created else _("Demo space already present."))
    for email, password, role in DEMO_USERS:
        click.echo(
            _(
                "  %(role)s  %(email)s  password: %(password)s",
                role=f"{role:<5}",
                email=email,
                password=password,
            )
        )


@click.group("mail", help="Mail tools.")
def mail() -> None:
    pass


@mail.command("worker")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
@click.option(
    "--interval",
    type=float,
    default=None,
    help="Seconds between looks for due mail when idle [default: 5 on PostgreSQL, which also "
    "wakes the worker the moment mail is queued; 0.5 on SQLite].",
)
@click.option("--batch", default=100, show_default=True, help="Rows claimed per space at a time.")
@click.option(
    "--threads",
    default=4,
    show_default=True,
    type=click.IntRange(1, 32),
    help="Spaces served at once, each on a connection of its own.",
)
@click.option(
    "--reminders/--no-reminders",
    default=True,
    show_default=True,
    help="Also queue due reminders every 15 minutes (safe in every worker at once).",
)
@click.option(
    "--prune/--no-prune",
    default=True,
    show_default=True,
    help="Also, once an hour, remove the message of sent emails older than each space keeps "
    "them (Settings → Email → Keep sent messages for), as `djaboo mail prune` does.",
)
def mail_worker(
    once: bool, interval: float | None, batch: int, threads: int, reminders: bool, prune: bool
) -> None:
    """Deliver the outbox: run several of these, on any machines sharing the database. The
    only way mail leaves: pages only queue it."""
    from datetime import timedelta
    from functools import partial

    from djaboo.documents.reminders import reminders_no_longer_due
    from djaboo.mail import worker
    from djaboo.notices.failures import notify_failure
    from djaboo.settings import bounces, retention, sent_copies
    from djaboo.settings.transport_settings import transport_settings_for_space

    # Reminders and notices to staff are composed here and carry links (without BASE_URL a
    # notice is not recorded: the worker logs why); the outbox itself is already composed.
    if reminders and not once:
        _require_base_url()
    connections = current_app.config["MAIL_CONNECTIONS_PER_SPACE"]
    lease = timedelta(seconds=current_app.config["MAIL_CLAIM_LEASE_SECONDS"])
    withdraw = reminders_no_longer_due
    if once:
        total = 0
        with _database_answers():
            while handled := worker.run_once(
                transport_settings_for_space,
                batch,
                connections,
                withdraw,
                lease,
                notify=notify_failure,
                sent=sent_copies.mark_pending,
            ):
                total += handled
        with _database_answers():
            sent_copies.save_sent_copies()
            bounces.read_bounce_mailboxes(notify_failure)
        click.echo(_("%(count)s email(s) handled.", count=total))
        return
    schedule = [_("reminders every 15 min") if reminders else _("no reminders")]
    schedule += [_("retention every hour")] if prune else []
    schedule += [_("bounce mailboxes every 3 min"), _("Sent folder copies every 20 s")]
    click.echo(
        _(
            "mail worker: %(threads)s space(s) at once, %(schedule)s (Ctrl+C stops)",
            threads=threads,
            schedule=", ".join(schedule),
        )
    )
    # SIGTERM (systemd, docker stop) ends it like Ctrl+C: each thread finishes its message and
    # gives back the rest of its batch, rather than leaving it claimed until the lease expires.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    with contextlib.suppress(KeyboardInterrupt):
        worker.run(
            transport_settings_for_space,
            interval=interval,
            batch=batch,
            connections=connections,
            withdraw=withdraw,
            periodic=_scheduled_run if reminders else None,
            lease=lease,
            threads=threads,
            jobs=[
                *([(retention.EVERY, retention.prune_sent_messages)] if prune else []),
                (bounces.EVERY, partial(bounces.read_bounce_mailboxes, notify_failure)),
                (sent_copies.EVERY, sent_copies.save_sent_copies),
            ],
            notify=notify_failure,
            sent=sent_copies.mark_pending,
        )


@mail.command("prune")
def mail_prune() -> None:
    """Remove the message itself (raw bytes, PDF included) of sent emails older than their
    space keeps them (Settings → Email → Keep sent messages for; empty: forever), keeping
    each email's line in the log. The mail worker does this every hour."""
    from djaboo.settings.retention import prune_sent_messages

    with _database_answers():
        pruned = prune_sent_messages()
    click.echo(_("%(count)s email(s) lost their stored message.", count=pruned))


def _scheduled_run(progress=None) -> tuple[list[int], list[int]]:
    """What `djaboo reminders run` does, and the mail worker every 15 minutes: the reminders
    due now, then the daily digests of failed emails due now (djaboo/notices/digest.py)."""
    from djaboo.documents.reminders import run_reminders
    from djaboo.notices.digest import send_failure_digests

    return run_reminders(progress=progress), send_failure_digests()


@click.group("reminders", help="Overdue reminders.")
def reminders() -> None:
    pass


@reminders.command("run")
def reminders_run() -> None:
    """Queue every reminder due now, and each daily digest of failed emails due now (safe to
    run as often as you like, even concurrently)."""
    import sys

    _require_base_url()
    if sys.stdout.isatty():

        def progress(items):
            with click.progressbar(items, label=_("Queueing reminders")) as bar:
                yield from bar
    else:
        progress = None
    with _database_answers():
        queued, digests = _scheduled_run(progress=progress)
    click.echo(_("%(count)s reminder email(s) queued (one per recipient).", count=len(queued)))
    if digests:
        click.echo(_("%(count)s digest(s) of failed emails queued.", count=len(digests)))


@mail.command("catcher")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=2525, show_default=True)
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False),
    default=None,
    help="Where to keep the messages [default: <instance>/mail-catcher].",
)
def mail_catcher(host: str, port: int, folder: str | None) -> None:
    """A local SMTP server that keeps every message as an .eml file (for the demo)."""
    from pathlib import Path

    from flask import current_app

    from djaboo.devtools.mail_catcher import serve

    serve(host, port, Path(folder or Path(current_app.instance_path) / "mail-catcher"))


@contextlib.contextmanager
def _database_answers():
    """An unreachable database ends a one-shot command with one clear line and exit status 1
    (a scheduler shows that line), not a traceback."""
    from djaboo.database_timeouts import UNREACHABLE, describe

    try:
        yield
    except UNREACHABLE as exc:
        raise click.ClickException(
            _(
                "The database is not answering (%(reason)s). What was done before stays "
                "done; run this again once the database is back.",
                reason=describe(exc),
            )
        ) from None


def init_app(app: Flask) -> None:
    app.cli.add_command(spaces)
    app.cli.add_command(staff)
    app.cli.add_command(demo)
    app.cli.add_command(mail)
    app.cli.add_command(reminders)
