"""Emails: Danish templates rendered with autoescaping, built as MIME with the standard library."""
