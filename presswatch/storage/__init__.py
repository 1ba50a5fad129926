"""Persistence: engine and transactions, models, repository (all DB access), migrations."""
