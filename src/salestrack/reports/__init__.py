"""Reports and the KPI dashboard, read from summaries kept up to date on every write."""

from salestrack.reports import summaries as _summaries  # noqa: F401  (installs the listeners)
