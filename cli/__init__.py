"""The operator CLI, `leaders`: the secretariat's and the consultant's tool."""
