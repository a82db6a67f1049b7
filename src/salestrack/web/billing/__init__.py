"""Billing pages: a booking's payment plan, construction stages, billing documents."""
