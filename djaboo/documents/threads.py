"""Which earlier email a new email about a document follows, so that the customer's mail
program shows a document's emails as one conversation.

A document's thread starts with its first email: the earliest outbox row about it that has a
Message-ID (rows that could not be made have none). A contact who received an earlier email
(To, CC or BCC of it) follows the first one they received; anyone else follows the document's
first. Every later email (a re-send, a reminder, a thank-you) names it in In-Reply-To, and in
References after the document's first (RFC 5322 3.6.4: the parent's References, then the
parent; djaboo/mail/message.py writes them). Only the Message-IDs of our own outbox are
used, and only those that read as one (mail.headers.is_msg_id).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from djaboo.documents.kinds import DocumentKind
from djaboo.extensions import db
from djaboo.mail.headers import is_msg_id
from djaboo.mail.message import MessageError, normalize_address
from djaboo.mail.outbox import OutboxMessage


@dataclass
class Thread:
    """A document's earlier emails, as far as threading needs them."""

    first: str = ""  # the Message-ID of the document's first email; "" when it has none
    first_to: dict[str, str] = field(default_factory=dict)  # address -> its first Message-ID

    def parent_for(self, address: str) -> str | None:
        """The Message-ID a new email to this address follows, or None (the first email)."""
        try:
            address = normalize_address(address)
        except MessageError:
            return self.first or None
        return self.first_to.get(address.lower()) or self.first or None

    def references_for(self, address: str) -> list[str]:
        """References of a new email to this address: the document's first email, then the
        one it follows when that is another (a mailbox that gets every copy, the "BCC all"
        one, shows all of a document's emails as one conversation)."""
        parent = self.parent_for(address)
        return list(dict.fromkeys(i for i in (self.first, parent) if i))


def document_threads(kind: DocumentKind, doc_ids: list[int]) -> dict[int, Thread]:
    """The threads of these documents (one query); a document without emails has none."""
    threads: dict[int, Thread] = {}
    if not doc_ids:
        return threads
    rows = db.session.execute(
        sa.select(OutboxMessage.doc_id, OutboxMessage.message_id, OutboxMessage.recipients)
        .where(
            OutboxMessage.doc_type == kind.name,
            OutboxMessage.doc_id.in_(set(doc_ids)),
            OutboxMessage.message_id != "",
        )
        .order_by(OutboxMessage.id)
    )
    for doc_id, message_id, recipients in rows:
        if not is_msg_id(message_id or ""):
            continue
        thread = threads.setdefault(doc_id, Thread(first=message_id))
        for address in recipients or []:
            if isinstance(address, str):
                thread.first_to.setdefault(address.lower(), message_id)
    return threads
