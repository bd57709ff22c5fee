"""Adapters at the edge: the only modules that talk to AWS."""
