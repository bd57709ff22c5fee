"""The form and landing pages: Jinja templates and static files, rendered into one folder."""
