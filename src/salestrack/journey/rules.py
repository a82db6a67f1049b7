"""The journey's rules as data: where a milestone moves a lead, which channels fit a type.

Pure functions with no database access, so the rules are read (and tested) in one place.

Status pipeline: new -> contacted -> qualified -> negotiation -> converted, or lost.

=============================  ==========================================================
milestone                      effect on the lead's status
=============================  ==========================================================
lead_generated                 recorded by the server when the lead is created; no move
contacted                      -> contacted
site_visit, revisit, demo      -> qualified
proposal, negotiation          -> negotiation
booking                        -> converted (also from lost: a booking is a fact)
cancellation                   -> lost (from any status)
reengaged                      lost -> contacted; 409 on a lead that is not lost
=============================  ==========================================================

Forward milestones never move a lead backwards (a demo after a proposal leaves it in
negotiation) and leave a lost lead lost: it must be ``reengaged`` first.

Follow-ups (the seed's rules, the same for every tenant and said back in each answer's
``defaults_applied``): a ``site_visit`` with a ``positive`` outcome asks for a follow-up
unless the client says ``follow_up_required: false``; a follow-up asked for without a
date is due ``FOLLOW_UP_AFTER_DAYS`` (2) days after the milestone.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from salestrack.core.errors import Conflict, Unprocessable
from salestrack.journey.models import (
    EngagementChannel,
    EngagementType,
    MilestoneType,
    Outcome,
)
from salestrack.leads.models import LeadStatus

RANK = {
    LeadStatus.new: 0,
    LeadStatus.contacted: 1,
    LeadStatus.qualified: 2,
    LeadStatus.negotiation: 3,
    LeadStatus.converted: 4,
}

FORWARD_TARGET = {
    MilestoneType.contacted: LeadStatus.contacted,
    MilestoneType.site_visit: LeadStatus.qualified,
    MilestoneType.revisit: LeadStatus.qualified,
    MilestoneType.demo: LeadStatus.qualified,
    MilestoneType.proposal: LeadStatus.negotiation,
    MilestoneType.negotiation: LeadStatus.negotiation,
    MilestoneType.booking: LeadStatus.converted,
}

# Visits happen somewhere and go well or badly; other milestones carry no place or outcome.
VISIT_TYPES = frozenset({MilestoneType.site_visit, MilestoneType.revisit, MilestoneType.demo})
VISIT_ONLY_FIELDS = (
    "location_name",
    "location_latitude",
    "location_longitude",
    "visited_by",
    "outcome",
)

# Which channels an engagement type can travel over (a call is not made over email).
CHANNELS_FOR_TYPE: dict[EngagementType, tuple[EngagementChannel, ...]] = {
    EngagementType.enquiry_received: tuple(EngagementChannel),
    EngagementType.email_sent: (EngagementChannel.email,),
    EngagementType.call_made: (
        EngagementChannel.phone,
        EngagementChannel.whatsapp,
        EngagementChannel.video,
    ),
    EngagementType.message_sent: (EngagementChannel.sms, EngagementChannel.whatsapp),
    EngagementType.meeting_scheduled: (
        EngagementChannel.in_person,
        EngagementChannel.video,
        EngagementChannel.phone,
    ),
    EngagementType.proposal_sent: (
        EngagementChannel.email,
        EngagementChannel.whatsapp,
        EngagementChannel.in_person,
    ),
    EngagementType.quote_sent: (
        EngagementChannel.email,
        EngagementChannel.whatsapp,
        EngagementChannel.in_person,
    ),
}


def status_after_milestone(current: LeadStatus, milestone: MilestoneType) -> LeadStatus:
    """The lead's status once ``milestone`` is recorded on a lead that is ``current``."""
    if milestone is MilestoneType.lead_generated:
        return current
    if milestone is MilestoneType.cancellation:
        return LeadStatus.lost
    if milestone is MilestoneType.reengaged:
        if current is not LeadStatus.lost:
            raise Conflict(
                f"reengaged applies only to a lost lead; this lead is {current.value}",
                lead_status=current.value,
            )
        return LeadStatus.contacted
    target = FORWARD_TARGET[milestone]
    if current is LeadStatus.lost:
        return target if target is LeadStatus.converted else current
    return target if RANK[target] > RANK[current] else current


def status_after_engagement(current: LeadStatus, *, completed: bool) -> LeadStatus:
    """A completed engagement is the first touch of a ``new`` lead: it becomes contacted."""
    if completed and current is LeadStatus.new:
        return LeadStatus.contacted
    return current


def check_channel(engagement_type: EngagementType, channel: EngagementChannel) -> None:
    """422 naming the channels that fit when ``channel`` makes no sense for the type."""
    fits = CHANNELS_FOR_TYPE[engagement_type]
    if channel not in fits:
        names = ", ".join(c.value for c in fits)
        raise Unprocessable(
            f"engagement_channel {channel.value!r} does not fit {engagement_type.value}; "
            f"use one of: {names}",
            field="engagement_channel",
            allowed_channels=[c.value for c in fits],
        )


FOLLOW_UP_AFTER_DAYS = 2
FOLLOW_UP_RULE = (
    f"a follow-up asked for without a follow_up_date is due {FOLLOW_UP_AFTER_DAYS} days after "
    "the milestone; a positive site_visit asks for a follow-up unless follow_up_required is "
    "false (both are said back in defaults_applied)"
)


def follow_up_defaults(
    milestone_type: MilestoneType, values: dict[str, Any], *, given: set[str]
) -> list[str]:
    """Fill in what the seed's follow-up rules imply and the client left out (``values`` is
    changed in place); the sentences say what was filled in, for the answer."""
    applied: list[str] = []
    if (
        milestone_type is MilestoneType.site_visit
        and values.get("outcome") == Outcome.positive
        and "follow_up_required" not in given
    ):
        values["follow_up_required"] = True
        applied.append("follow_up_required: true (a positive site visit asks for a follow-up)")
    if values.get("follow_up_required") and values.get("follow_up_date") is None:
        due = values["milestone_date"] + timedelta(days=FOLLOW_UP_AFTER_DAYS)
        values["follow_up_date"] = due
        applied.append(
            f"follow_up_date: {due.isoformat()} ({FOLLOW_UP_AFTER_DAYS} days after the "
            "milestone, the default follow-up)"
        )
    return applied
