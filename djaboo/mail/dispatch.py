"""Delivery right after the commit that queued a row, off the request thread.

Until the mail worker (issue 6) takes over, this is how queued rows leave: a short-lived thread
per commit claims the rows (so a second process can never send them too) and sends them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from flask import Flask

from djaboo.extensions import db
from djaboo.mail.delivery import claim, deliver_claimed
from djaboo.mail.outbox import OutboxMessage
from djaboo.mail.transports import TransportSettings

log = logging.getLogger(__name__)


def deliver_soon(
    app: Flask, outbox_ids: list[int], settings_for: Callable[[int], TransportSettings]
) -> threading.Thread:
    def run():
        with app.app_context():
            try:
                for outbox_id in outbox_ids:
                    if claim(outbox_id):
                        deliver_claimed(db.session.get(OutboxMessage, outbox_id), settings_for)
            except Exception:  # logged; the row stays claimed and is recovered by its lease
                log.exception("delivery of %s failed unexpectedly", outbox_ids)
                db.session.rollback()
            finally:
                db.session.remove()

    thread = threading.Thread(target=run, name=f"deliver-{outbox_ids}", daemon=True)
    thread.start()
    return thread
