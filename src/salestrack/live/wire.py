"""A committed transaction's changes for one tenant, as one message on the wire.

The writer names the message (``id``): every process then holds the same id for the same
message, so a page that reconnects to another app server can say which one it saw last.
On PostgreSQL the encoded message is a ``pg_notify`` payload, which must stay under 8,000
bytes: a transaction with more changes than ``MAX_CHANGES`` (an import batch) is told as
"many changes" (``bulk``, and ``bulk.money`` when money moved) instead of one by one.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from salestrack.live.changes import BULK, BULK_MONEY, CONTROL_KINDS, Change

VERSION = 1
MAX_CHANGES = 40  # ~110 bytes each: the payload stays well under PostgreSQL's 8,000


class BadMessage(ValueError):
    """A payload that is not a message of this version (ignored by the listener)."""


@dataclass(frozen=True)
class Message:
    id: str
    tenant_id: uuid.UUID
    changes: tuple[Change, ...]


def new_id() -> str:
    """Unique across processes, and roughly in time order for whoever reads logs."""
    return f"{time.time_ns() // 1_000_000:x}-{secrets.token_hex(6)}"


def message(tenant_id: uuid.UUID, changes: Iterable[Change]) -> Message:
    """The tenant's message for one transaction: its distinct changes, or a bulk marker."""
    distinct = sorted(set(changes), key=_order)
    if len(distinct) > MAX_CHANGES:
        distinct = _collapsed(distinct)
    return Message(new_id(), tenant_id, tuple(distinct))


def _order(change: Change) -> tuple[str, str, str]:
    return (change.kind, str(change.lead_id or ""), str(change.id or ""))


def _collapsed(changes: list[Change]) -> list[Change]:
    """Many changes as at most three: any non-money change, any money change, and the
    control changes (kept: a deactivation inside an import batch must still end streams)."""
    control = [c for c in changes if c.kind in CONTROL_KINDS]
    rest = [c for c in changes if c.kind not in CONTROL_KINDS]
    kept: list[Change] = []
    if any(not c.money for c in rest):
        kept.append(Change(BULK))
    if any(c.money for c in rest):
        kept.append(Change(BULK_MONEY))
    users = {c.id for c in control}
    kept.extend([Change(next(iter(control)).kind, None, None)] if len(users) > 1 else control[:1])
    return kept


def encode(item: Message) -> str:
    rows = [[c.kind, _text(c.lead_id), _text(c.id)] for c in item.changes]
    body = {"v": VERSION, "e": item.id, "t": str(item.tenant_id), "c": rows}
    return json.dumps(body, separators=(",", ":"))


def decode(payload: str) -> Message:
    try:
        body = json.loads(payload)
        if body["v"] != VERSION:
            raise BadMessage(f"message version {body['v']!r}")
        changes = tuple(Change(str(k), _uuid(lead), _uuid(row)) for k, lead, row in body["c"])
        return Message(str(body["e"]), uuid.UUID(body["t"]), changes)
    except (KeyError, TypeError, ValueError) as exc:
        raise BadMessage(str(exc)) from exc


def _text(value: uuid.UUID | None) -> str | None:
    return str(value) if value is not None else None


def _uuid(value: object) -> uuid.UUID | None:
    return uuid.UUID(str(value)) if value is not None else None
