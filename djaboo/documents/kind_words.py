"""What the staff pages say about each kind of document, in the reader's language.

Whole sentences per kind, never a kind's name put inside a sentence: French agrees words with
the kind's gender (une facture créée, un devis créé, un avoir créé) and Japanese orders them
its own way. Lazy strings: they become words when a page or a flash uses them, each `%`
filled in then (e.g. `kind.words.created % {"number": number}`).
"""

from __future__ import annotations

from dataclasses import dataclass

from djaboo.i18n import _l


@dataclass(frozen=True)
class KindWords:
    label: object  # "Invoice"
    plural: object  # "Invoices"
    new: object  # "New invoice"
    create: object  # the create form's button
    send: object  # the page's Send button
    cancel_this: object
    heading: object  # "Invoice %(number)s"
    send_heading: object  # "Send invoice %(number)s"
    none: object  # an empty list
    none_matching: object  # an empty search
    created: object  # flashes
    saved: object
    cancelled: object
    marked_sent: object
    marked_when_sent: object  # the send page, for a draft
    list_date: object  # the heading of its list's date column
    already_cancelled: object
    not_sent_any_more: object  # a send refused in this status


INVOICE_WORDS = KindWords(
    label=_l("Invoice"),
    plural=_l("Invoices"),
    new=_l("New invoice"),
    create=_l("Create invoice"),
    send=_l("Send invoice"),
    cancel_this=_l("Cancel this invoice"),
    heading=_l("Invoice %(number)s"),
    send_heading=_l("Send invoice %(number)s"),
    none=_l("No invoices."),
    none_matching=_l("No invoices match “%(query)s”."),
    created=_l("Invoice %(number)s created as a draft."),
    saved=_l("Invoice saved."),
    cancelled=_l("Invoice %(number)s cancelled."),
    marked_sent=_l("Invoice %(number)s marked as sent (%(status)s); nothing was emailed."),
    marked_when_sent=_l(
        "The invoice is marked “%(status)s” now, not then: the attached PDF says “%(status)s”."
    ),
    list_date=_l("Due"),
    already_cancelled=_l("Invoice %(number)s is already cancelled."),
    not_sent_any_more=_l("This invoice is %(status)s; it is not sent any more."),
)
ESTIMATE_WORDS = KindWords(
    label=_l("Estimate"),
    plural=_l("Estimates"),
    new=_l("New estimate"),
    create=_l("Create estimate"),
    send=_l("Send estimate"),
    cancel_this=_l("Cancel this estimate"),
    heading=_l("Estimate %(number)s"),
    send_heading=_l("Send estimate %(number)s"),
    none=_l("No estimates."),
    none_matching=_l("No estimates match “%(query)s”."),
    created=_l("Estimate %(number)s created as a draft."),
    saved=_l("Estimate saved."),
    cancelled=_l("Estimate %(number)s cancelled."),
    marked_sent=_l("Estimate %(number)s marked as sent (%(status)s); nothing was emailed."),
    marked_when_sent=_l(
        "The estimate is marked “%(status)s” now, not then: the attached PDF says “%(status)s”."
    ),
    list_date=_l("Valid until"),
    already_cancelled=_l("Estimate %(number)s is already cancelled."),
    not_sent_any_more=_l("This estimate is %(status)s; it is not sent any more."),
)
CREDIT_NOTE_WORDS = KindWords(
    label=_l("Credit note"),
    plural=_l("Credit notes"),
    new=_l("New credit note"),
    create=_l("Create credit note"),
    send=_l("Send credit note"),
    cancel_this=_l("Cancel this credit note"),
    heading=_l("Credit note %(number)s"),
    send_heading=_l("Send credit note %(number)s"),
    none=_l("No credit notes."),
    none_matching=_l("No credit notes match “%(query)s”."),
    created=_l("Credit note %(number)s created as a draft."),
    saved=_l("Credit note saved."),
    cancelled=_l("Credit note %(number)s cancelled."),
    marked_sent=_l("Credit note %(number)s marked as sent (%(status)s); nothing was emailed."),
    marked_when_sent=_l(
        "The credit note is marked “%(status)s” now, not then: the attached PDF says “%(status)s”."
    ),
    list_date=_l("Date"),
    already_cancelled=_l("Credit note %(number)s is already cancelled."),
    not_sent_any_more=_l("This credit note is %(status)s; it is not sent any more."),
)
