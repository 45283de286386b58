"""The estimate's owner hears when the customer accepts or declines it on its page.

Recorded in the transaction of the answer itself (committed with it, or not at all), under
the key notice:answer:<estimate id>: an estimate is answered once, and even were it answered
again its owner would hear once.
"""

from __future__ import annotations

from datetime import date

from djaboo.documents.kind_facts import estimate_facts
from djaboo.documents.kinds import ESTIMATE
from djaboo.documents.models import Estimate
from djaboo.documents.public_links import current_link, unsent_link
from djaboo.extensions import db
from djaboo.notices.mail_events import ESTIMATE_ACCEPTED, ESTIMATE_DECLINED
from djaboo.notices.merge_fields import AnswerFacts
from djaboo.notices.sending import NoticeSender, app_link, record_notices
from djaboo.spaces.models import Space
from djaboo.staff.models import User


def notify_estimate_answer(estimate: Estimate, today: date) -> list[int]:
    """After the customer's answer (added to the session, not committed): the notice to the
    estimate's owner, unless they turned it off. Returns the outbox ids recorded."""
    if estimate.status not in ("accepted", "declined") or not estimate.owner_id:
        return []
    owner = db.session.get(User, estimate.owner_id)
    if owner is None or not owner.active or not owner.notify_estimate_answers:
        return []
    sender = NoticeSender.for_space(db.session.get(Space, estimate.space_id))
    if not sender.can_send:
        return []
    link = current_link(ESTIMATE, estimate) or unsent_link(ESTIMATE, estimate)
    parts = {
        **estimate_facts(ESTIMATE, estimate, today, link),
        "estimate_answer": AnswerFacts(
            customer=estimate.customer.company,
            staff_link=app_link(f"/{ESTIMATE.url_prefix}/{estimate.id}"),
        ),
    }
    event = ESTIMATE_ACCEPTED if estimate.status == "accepted" else ESTIMATE_DECLINED
    return record_notices([sender.notice(owner, event, parts, f"notice:answer:{estimate.id}")])
