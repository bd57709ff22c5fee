"""Leader forums: the catalogue of topics and their sessions."""
