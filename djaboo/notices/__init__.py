"""Notices to staff: emails to the people of the space, in their language, through its mail.

The estimate's owner hears when a customer accepts or declines it (estimate_answers.py); the
sender and the admins when an email fails for good or needs attention (failures.py, called by
the mail worker), or once a day in a digest (digest.py, run by `djaboo reminders run`). Each
staff member turns them off in the profile (Email me when…). Every notice is an outbox row of
origin "notice" with a key that makes it once (sending.py); a notice that fails never causes
another.
"""
