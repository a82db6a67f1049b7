"""Reports and the KPI dashboard, read from summaries kept up to date on every write
(``summaries.install`` puts the maintenance on a session factory)."""
