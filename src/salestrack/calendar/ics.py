"""The feed as an RFC 5545 document, written by the ``icalendar`` library.

- ``UID``: the kind and the row's id (``follow-up-<milestone id>@salestrack``), so an entry
  keeps its identity across refreshes and a moved follow-up moves in the calendar instead
  of appearing twice.
- ``DTSTAMP`` and ``LAST-MODIFIED``: when the row last changed (not the time of the
  request), so an unchanged entry reads the same at every refresh.
- Times: timed entries in UTC (``...Z``; each calendar shows them in its own zone), all-day
  entries as ``VALUE=DATE`` days, ending the next day (``DTEND`` is exclusive).
- ``SUMMARY``, ``DESCRIPTION`` (ending with the lead's page) and ``URL`` link to the lead.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

import icalendar

from salestrack.calendar.entries import Entry

PRODID = "-//salestrack//calendar feed//EN"
REFRESH = timedelta(hours=1)


def document(entries: Iterable[Entry], *, name: str, zone_name: str, base_url: str) -> bytes:
    """The VCALENDAR of ``entries``; links are ``base_url`` + ``/leads/<id>``."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", zone_name)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")  # Outlook's name for REFRESH-INTERVAL
    for entry in entries:
        calendar.add_component(_event(entry, base_url.rstrip("/")))
    body: bytes = calendar.to_ical()
    return body


def _event(entry: Entry, base_url: str) -> icalendar.Event:
    link = f"{base_url}/leads/{entry.lead_id}"
    event = icalendar.Event()
    event.add("uid", entry.uid)
    event.add("dtstamp", entry.modified)
    event.add("last-modified", entry.modified)
    event.add("summary", entry.title)
    event.add("description", f"{entry.details}\n\nLead: {link}")
    event.add("url", link)
    event.add("categories", [entry.kind.replace("_", "-")])
    if entry.day is not None:
        event.add("dtstart", entry.day)
        event.add("dtend", entry.day + timedelta(days=1))
        event.add("transp", "TRANSPARENT")  # a to-do for the day, not a busy slot
    else:
        assert entry.start is not None
        assert entry.end is not None
        event.add("dtstart", entry.start)
        event.add("dtend", entry.end)
    if entry.location:
        event.add("location", entry.location)
    return event
