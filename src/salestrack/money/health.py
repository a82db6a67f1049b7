"""A customer's health band, by the seed's rule ("Checking Customer Health"):

==========================================  ===========
outstanding below 50,000                    good
outstanding 50,000 to 100,000 (inclusive)   monitor
outstanding above 100,000                   high_risk (follow-up needed)
any unpaid debit older than 30 days         escalate (whatever the amount)
==========================================  ===========

Amounts are in the tenant's currency (the seed's figures are rupees). "Past due" is read
as unpaid 30 days after the debit's date: the ledger keeps no due dates, and credits
settle the oldest debits first (the receivables report's ageing). The one rule serves the
customer's ledger summary, the receivables report and the dashboard's AR health.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum


class Band(StrEnum):
    good = "good"
    monitor = "monitor"
    high_risk = "high_risk"
    escalate = "escalate"


GOOD_BELOW = Decimal("50000")
MONITOR_UP_TO = Decimal("100000")
ESCALATE_AFTER_DAYS = 30
AMOUNT_BANDS = (Band.good, Band.monitor, Band.high_risk)
RULE = (
    "outstanding below 50,000: good; 50,000 to 100,000: monitor; above 100,000: high risk; "
    "any unpaid debit older than 30 days: escalate"
)


def amount_band(outstanding: Decimal) -> Band:
    """The band by the balance alone."""
    if outstanding < GOOD_BELOW:
        return Band.good
    if outstanding <= MONITOR_UP_TO:
        return Band.monitor
    return Band.high_risk


def overdue(oldest_unpaid_days: int | None) -> bool:
    return oldest_unpaid_days is not None and oldest_unpaid_days > ESCALATE_AFTER_DAYS


def band(outstanding: Decimal, oldest_unpaid_days: int | None) -> Band:
    """The customer's band: escalate when overdue, else by the balance."""
    return Band.escalate if overdue(oldest_unpaid_days) else amount_band(outstanding)
