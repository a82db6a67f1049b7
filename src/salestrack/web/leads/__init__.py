"""Pages of the leads domain: leads, customers, campaigns and lead sources."""
