"""The data generator behind ``salestrack seed`` and the demo: a year of realistic sales
data for one tenant, simulated in Python and bulk-loaded, with its report summaries.

It writes what the services would have written and computes the summaries with the
reports' own fact and contribution functions; nothing outside it imports it but the CLI,
the demo, the benchmark and its tests.

Modules, in dependency order: ``copytext``/``copybinary`` (COPY formats), ``records`` (the
shared record types), ``lead_path`` (one lead's events and status moves),
``simulate_money`` (a deal), ``presummed`` (summary rows while simulating), ``simulate``
(one lead's rows), ``loader`` (COPY or insert), ``reference`` (tenant set-up), ``batches``
(batches, optionally from a worker process) and ``seed`` (the entry point, ``generate``).
"""
