"""Registration for a forum session: models, ports, service (the rules) and mail."""
