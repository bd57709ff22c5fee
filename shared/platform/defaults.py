"""What the product does unless a deployment says otherwise, each default once: the
deployment's configuration (infra/config.py, read from cdk.json, which names only what a
deployment sets or changes) and the functions' settings (shared/platform/settings.py) both
start from these, and so do the services built without settings (tests, the local runtime)."""

from __future__ import annotations

# Forum registration.
REMINDER_DAYS_BEFORE = 2  # participants of sessions starting this many days ahead are reminded
REGISTRATION_RETENTION_DAYS = 365  # after the session ended
REGISTRATION_CONFIRM_LINK_HOURS = 24  # a confirmation link, and the submission it confirms
REGISTRATION_MAIL_INTERVAL_MINUTES = 10  # one confirmation link per address in this time

# Advisory requests.
ADVISORY_RETENTION_DAYS = 180
CONSULTANT_REPLY_DAYS = 3  # working days, as the sender's receipt says
ADVISORY_RECEIPT_INTERVAL_MINUTES = 60  # one receipt per mailbox in this time

# The newsletter.
NEWSLETTER_CONFIRM_INTERVAL_MINUTES = 10  # one signup confirmation per address in this time
