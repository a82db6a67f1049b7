"""Reports & Analytics: the tabs, their charts and their downloads."""
