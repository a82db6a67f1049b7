"""The lead journey: milestones, engagements, status history, follow-ups and the timeline.

Other domains call ``salestrack.journey.service`` (e.g. bookings record ``booking`` and
``cancellation`` milestones in their own transaction) and may register a conversion-value
provider on ``salestrack.journey.timeline.CONVERSION_VALUE``.
"""
