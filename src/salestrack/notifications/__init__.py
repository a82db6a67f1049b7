"""In-app notifications: what a user is told about their own work (docs/notifications.md).

Events reach this package the way they reach the webhooks: through the audit hook point
(``core.hooks.RECORD_CHANGE``) that every create and update already runs, installed on a
session factory by ``salestrack.wiring``; follow-ups falling due are found by a task of the
``salestrack worker``. No lower layer imports this package.
"""
