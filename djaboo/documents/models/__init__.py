from djaboo.documents.models.credit_notes import CreditNote, CreditNoteLine
from djaboo.documents.models.customers import Contact, Customer
from djaboo.documents.models.estimates import Estimate, EstimateLine
from djaboo.documents.models.invoices import Invoice, InvoiceLine, Payment
from djaboo.documents.models.reminders import ReminderLog, ReminderPass, ReminderSettings
from djaboo.documents.models.shared import DocumentPDF, DocumentSequence, PublicLink

__all__ = [
    "Contact",
    "CreditNote",
    "CreditNoteLine",
    "Customer",
    "DocumentPDF",
    "DocumentSequence",
    "Estimate",
    "EstimateLine",
    "Invoice",
    "InvoiceLine",
    "Payment",
    "PublicLink",
    "ReminderLog",
    "ReminderPass",
    "ReminderSettings",
]
