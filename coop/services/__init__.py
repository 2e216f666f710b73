"""Use cases: load rows, call the domain, write rows, flush. Never commit."""
