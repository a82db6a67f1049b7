"""The one place every session-level behaviour is installed on a session factory.

``create_app`` and every CLI command build their sessions here, so an import-leads run, a
demo load and an API request get the same behaviour: the tenant named at each transaction
(row-level security), the request's user check, the audit log, a lead's first milestone and
status history, its normalised phone and e-mail, its assignment and the duplicate rule, the
timeline's conversion value, the report summaries, the webhook events in the outbox, the
users' notifications and the live floor's announcements.
Nothing is installed by importing a module; a session whose factory skipped this refuses to write
(``salestrack.core.hooks.NotWired``).
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from salestrack.audit import service as audit
from salestrack.auth import verification
from salestrack.billing import issue as billing
from salestrack.core import batching, hooks, tenancy
from salestrack.core.db import make_session_factory
from salestrack.http import idempotency_asgi
from salestrack.intake import arrivals, assignment
from salestrack.journey import milestones
from salestrack.leads import identity
from salestrack.leads import service as leads
from salestrack.live import announce as live
from salestrack.money import journey_links
from salestrack.notifications import events as notifications
from salestrack.reports import summaries
from salestrack.webhooks import events


def install(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """Install every behaviour on ``factory`` (once; installing again changes nothing)."""
    if not hooks.mark_wired(factory):
        return factory
    tenancy.install(factory)  # first: the tenant setting every statement runs under
    verification.install(factory)  # then the request's user (users are under RLS too)
    idempotency_asgi.install(factory)  # then a request's Idempotency-Key claim
    batching.install(factory)  # a batch's rows flushed together, parents first
    hooks.RECORD_CHANGE.connect(factory, audit.record)
    events.install(factory)  # webhook events in the outbox, in the writer's transaction
    notifications.install(factory)  # the users' notifications, in the writer's transaction
    milestones.install(factory)  # a lead's first milestone and status history
    leads.LEADS.created.connect(factory, identity.on_created)  # phone in E.164, e-mail
    leads.LEADS.updated.connect(factory, identity.on_updated)
    leads.LEADS.created.connect(factory, assignment.on_lead_created)  # the tenant's rules
    leads.ARRIVING.connect(factory, arrivals.on_arriving)  # duplicates: the tenant's policy
    leads.ARRIVING_MANY.connect(factory, arrivals.on_arriving_many)  # an import's batch
    journey_links.install(factory)  # the timeline's conversion value from bookings
    billing.install(factory)  # a receipt for every payment, a document for every credit note
    summaries.install(factory)  # report summaries noted at flush, applied at commit
    live.install(factory)  # the live floor: what committed, told to the tenant's open pages
    return factory


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Wired sessions on ``engine``: what the app, the CLI and the tests use."""
    return install(make_session_factory(engine))
