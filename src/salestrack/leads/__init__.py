"""Leads and the records they hang from: customers, campaigns and lead sources."""
