"""Importing leads from a spreadsheet (CSV or .xlsx): all rows or none.

Every row goes through the same service as the API (codes, references, the journey's first
milestone), inside one transaction; if any row is wrong nothing is written and the caller
gets every problem with its row number, so a user can fix the file and run it again.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from salestrack.auth.context import Actor
from salestrack.auth.models import User
from salestrack.core import crud
from salestrack.core.errors import ProblemError
from salestrack.core.schema_base import printable
from salestrack.leads import service
from salestrack.leads.models import Campaign, LeadSource
from salestrack.leads.schemas import LeadCreate

DIRECT_COLUMNS = {
    "lead_code",
    "name",
    "company",
    "email",
    "phone",
    "status",
    "lead_date",
    "expected_value",
    "notes",
}
LOOKUP_COLUMNS = {"source", "campaign", "assigned_to"}
MAX_REPORTED_PROBLEMS = 50


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    problems: list[str] = field(default_factory=list)


def read_rows(path: Path) -> Iterator[dict[str, str]]:
    """Rows as header -> text, from a CSV (UTF-8, BOM tolerated) or the first sheet of .xlsx."""
    if path.suffix.lower() == ".xlsx":
        yield from _xlsx_rows(path)
        return
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            yield {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}


def _xlsx_rows(path: Path) -> Iterator[dict[str, str]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        values = workbook.worksheets[0].iter_rows(values_only=True)
        header = [str(h or "").strip().lower() for h in next(values, ())]
        for raw in values:
            cells = ["" if v is None else str(v).strip() for v in raw]
            if any(cells):
                yield dict(zip(header, cells, strict=False))
    finally:
        workbook.close()


def import_leads(
    session: Session,
    *,
    actor: Actor,
    rows: Iterable[dict[str, str]],
    progress: Callable[[int], None] = lambda _n: None,
) -> ImportReport:
    """Create a lead per row; on any problem, raise nothing but report and write nothing.

    The caller must roll back when ``report.problems`` is not empty.
    """
    report = ImportReport()
    lookups = _Lookups(session, actor)
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        report.rows += 1
        progress(1)
        unknown = set(row) - DIRECT_COLUMNS - LOOKUP_COLUMNS - {""}
        if unknown:
            report.problems.append(f"unknown columns: {', '.join(sorted(unknown))}")
            break
        try:
            values: dict[str, Any] = {k: v for k, v in row.items() if k in DIRECT_COLUMNS and v}
            values.update(lookups.resolve(row))
            with session.begin_nested():
                service.create_lead(session, actor=actor, data=LeadCreate(**values))
            report.created += 1
        except ValidationError as exc:
            details = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            )
            report.problems.append(f"row {number}: {details}")
        except (ProblemError, LookupError) as exc:
            report.problems.append(f"row {number}: {exc}")
        if len(report.problems) >= MAX_REPORTED_PROBLEMS:
            report.problems.append("(stopped after too many problems)")
            break
    return report


class _Lookups:
    """Names in the sheet (source, campaign, assignee email) to this tenant's ids, cached."""

    def __init__(self, session: Session, actor: Actor) -> None:
        self.session, self.tenant_id = session, actor.tenant_id
        self.cache: dict[tuple[str, str], Any] = {}

    def resolve(self, row: dict[str, str]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        if row.get("source"):
            found["source_id"] = self._one("source", row["source"])
        if row.get("campaign"):
            found["campaign_id"] = self._one("campaign", row["campaign"])
        if row.get("assigned_to"):
            found["assigned_to"] = self._one("assigned_to", row["assigned_to"])
        return found

    def _one(self, kind: str, text: str) -> Any:
        try:
            printable(text)
        except ValueError as exc:
            raise LookupError(f"{kind}: {exc}") from None
        key = (kind, text.lower())
        if key not in self.cache:
            ids = list(self.session.scalars(self._query(kind, text.lower())).all())
            if len(ids) != 1:
                what = "no" if not ids else "more than one"
                raise LookupError(f"{kind}: {what} match for {text!r}")
            self.cache[key] = ids[0]
        return self.cache[key]

    def _query(self, kind: str, text: str) -> Any:
        if kind == "source":
            stmt = crud.scoped(LeadSource, self.tenant_id).with_only_columns(LeadSource.id)
            return stmt.where(
                or_(func.lower(LeadSource.subsource_name) == text, LeadSource.source_type == text)
            )
        if kind == "campaign":
            stmt = crud.scoped(Campaign, self.tenant_id).with_only_columns(Campaign.id)
            return stmt.where(
                or_(
                    func.lower(Campaign.campaign_code) == text,
                    func.lower(Campaign.campaign_name) == text,
                )
            )
        return select(User.id).where(
            User.tenant_id == self.tenant_id,
            User.deleted_at.is_(None),
            func.lower(User.email) == text,
        )
