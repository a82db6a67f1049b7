"""Pages of the journey domain: one lead's Milestones & Tracking page and the follow-ups."""
