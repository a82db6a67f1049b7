"""The status rules as a table (pure functions, no database)."""

from __future__ import annotations

import pytest
from salestrack.core.errors import Conflict, Unprocessable

from salestrack.journey.models import EngagementChannel, EngagementType, MilestoneType
from salestrack.journey.rules import check_channel, status_after_milestone
from salestrack.leads.models import LeadStatus as S

M = MilestoneType


@pytest.mark.parametrize(
    ("current", "milestone", "expected"),
    [
        (S.new, M.contacted, S.contacted),
        (S.new, M.site_visit, S.qualified),
        (S.contacted, M.demo, S.qualified),
        (S.qualified, M.revisit, S.qualified),
        (S.qualified, M.proposal, S.negotiation),
        (S.new, M.negotiation, S.negotiation),
        (S.negotiation, M.booking, S.converted),
        (S.negotiation, M.site_visit, S.negotiation),  # never backwards
        (S.converted, M.contacted, S.converted),
        (S.converted, M.cancellation, S.lost),
        (S.new, M.cancellation, S.lost),
        (S.lost, M.demo, S.lost),  # a lost lead must be reengaged first
        (S.lost, M.booking, S.converted),
        (S.lost, M.reengaged, S.contacted),
        (S.qualified, M.lead_generated, S.qualified),
    ],
)
def test_milestone_moves_status(current: S, milestone: M, expected: S) -> None:
    assert status_after_milestone(current, milestone) is expected


def test_reengaged_needs_a_lost_lead() -> None:
    with pytest.raises(Conflict, match="only to a lost lead"):
        status_after_milestone(S.qualified, M.reengaged)


def test_channel_error_names_the_channels_that_fit() -> None:
    with pytest.raises(Unprocessable, match="phone, whatsapp, video") as caught:
        check_channel(EngagementType.call_made, EngagementChannel.email)
    assert caught.value.extra["allowed_channels"] == ["phone", "whatsapp", "video"]
    check_channel(EngagementType.message_sent, EngagementChannel.whatsapp)
