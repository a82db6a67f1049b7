"""The live floor: committed changes told to the open pages of the same tenant.

A write's session notes what it flushed (``changes``); at commit the notes become one message
per tenant (``wire``): on PostgreSQL a ``pg_notify`` inside the writer's transaction, which
PostgreSQL delivers only if it commits, to one listener connection per app process
(``listener``); on SQLite a hand-over to the hubs of this process after the commit
(``announce``). Each process's ``hub`` keeps a short per-tenant log for reconnects and fans
messages out to its open streams (``stream``), each filtered by what its viewer's role may see.
Design, limits and operations: docs/live.md.
"""
