"""Topic queries and matching (and, later, the alert outbox and its delivery)."""
