"""What each KPI and report ratio counts, in words: one text per figure, shown beside it.

The OpenAPI schema (``schemas.py``) and the pages (tooltip and footnote on each card) read
these same sentences, so the page, the API and the code cannot drift apart. Every ratio
counts its numerator and its denominator over the same population and period; each text
says which.
"""

from __future__ import annotations

COHORT = "the period's cohort (live leads whose lead_date is in the period)"

KPI_DEFINITIONS: dict[str, str] = {
    "total_leads": f"Leads in {COHORT}.",
    "new_leads": f"Leads of {COHORT} that never got past new.",
    "qualified_leads": (
        f"Leads of {COHORT} that reached qualified or a later stage (status history)."
    ),
    "converted_leads": f"Leads of {COHORT} that reached converted (status history).",
    "conversion_rate": f"Converted ÷ all leads, both of {COHORT}, x 100.",
    "lead_quality": (
        f"Qualified ÷ all leads, both of {COHORT}, x 100. A cohort keeps progressing, so a "
        "recent period reads lower than an older one until its leads have had time."
    ),
    "active_customers": (
        "Customers now holding a booking that is not cancelled, or with a ledger entry in "
        "the last 90 days (a state of today: no previous figure)."
    ),
    "total_bookings": "Bookings dated in the period that are not cancelled.",
    "booked_amount": "Amount of the bookings dated in the period that are not cancelled.",
    "customer_ltv": (
        "Invoiced up to the period's end ÷ customers created up to the period's end "
        "(both cumulative, both all customers)."
    ),
    "payment_collection": (
        "(Paid - refunded) ÷ (invoiced + debit notes - credit notes) x 100, every ledger "
        "entry up to the period's end."
    ),
    "booking_rate": (
        f"Converted leads holding a confirmed or completed booking ÷ converted leads, both "
        f"of {COHORT}, x 100 (at most 100: the share of conversions that became sales)."
    ),
    "avg_days_to_conversion": (
        f"Mean days from lead_date to the first booking milestone, over the leads of "
        f"{COHORT} that have one."
    ),
    "engagements_this_month": "Engagements dated in the period (UTC day).",
    "engagement_rate": (
        "Engagements dated in the period on leads open now ÷ leads open now (new, "
        "contacted, qualified, negotiation): touches per open lead (a state of today)."
    ),
    "outstanding_balance": "Σ debits - Σ credits of every ledger entry up to the period's end.",
    "pending_follow_ups": "Follow-ups open now (a state of today).",
    "overdue_follow_ups": (
        "Follow-ups open now and due before today in the tenant's time zone (a state of today)."
    ),
}

RATE_DEFINITIONS: dict[str, str] = {
    "funnel_conversion_rate": "Converted ÷ all leads of the same cohort month(s), x 100.",
    "drop_off": (
        "Of the cohort's leads that reached a stage, the share that did not reach the next "
        "one: (A - B) ÷ A x 100."
    ),
    "source_conversion_rate": (
        "Converted ÷ all leads of the source, both of the leads dated in the window, x 100."
    ),
    "cost_per_lead": "The linked campaign's budget ÷ the leads counted in the row.",
    "cost_per_conversion": "The linked campaign's budget ÷ the converted leads in the row.",
    "campaign_conversion_rate": (
        "Converted ÷ all leads of the campaign, both of the leads dated in the window, x 100."
    ),
    "roi": (
        "(Revenue - budget) ÷ budget x 100; revenue = confirmed or completed bookings of "
        "the row's leads."
    ),
    "cash_roi": "(Collected - budget) ÷ budget x 100; collected = payments less refunds.",
    "churn_rate": "Cancelled ÷ all bookings, both dated in the window, x 100.",
    "average_amount": "Amount ÷ count of the same bookings.",
}
