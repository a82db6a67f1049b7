"""Tenants, users, roles, tokens and the request's acting user."""
