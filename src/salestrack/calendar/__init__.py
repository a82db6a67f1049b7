"""Each user's private iCalendar (RFC 5545) feed of their follow-ups, site visits and
scheduled meetings, to subscribe to from Google, Outlook or Apple calendars
(docs/notifications.md#calendar-feed)."""
