"""Outbound webhooks: the outbox of events, the endpoints that receive them, deliveries."""
