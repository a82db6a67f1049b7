"""The live floor's endpoint, ``GET /live/events`` (the pages' EventSource; API clients too)."""
