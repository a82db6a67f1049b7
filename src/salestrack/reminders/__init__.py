"""Reminder e-mails: each user's morning digest of due and overdue follow-ups, an alert
before a timed follow-up, a manager's digest of the team's overdue ones; scheduled and sent
by the worker (docs/reminders.md)."""
