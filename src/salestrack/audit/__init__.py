"""Who changed what, when: one append-only log for every record."""
