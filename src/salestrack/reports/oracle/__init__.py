"""The oracle: every report figure recomputed from the base tables with plain GROUP BYs.

Slow (it scans the tenant's leads, history and ledger each time) but obviously right; the
parity test holds the counters to it, the benchmark times it, and filter combinations the
counters do not keep are answered by it. It derives lead, booking and cash figures with
its own SQL, not with the summaries' fact functions, so it checks them; it shares only
definitions (pipeline ranks, live booking statuses) and, for the debtors' ageing, the
ledger settlement rule (``money_facts.ledger_by_day``).
"""

from __future__ import annotations

from salestrack.reports.oracle.leads import LeadOracle
from salestrack.reports.oracle.money import MoneyOracle


class OracleFigures(LeadOracle, MoneyOracle):
    """``figure_types.Figures`` from the base tables."""

    recording = False  # it answers each question as it is asked


__all__ = ["OracleFigures"]
