"""The interactive API docs, served from this app."""
