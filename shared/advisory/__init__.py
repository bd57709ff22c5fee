"""Advisory requests and ideas for the union's leader consultant."""
