"""Email templates: one per event and language, edited by admins, with a live preview."""
