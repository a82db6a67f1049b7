"""Pages of leads that arrive by themselves: the hosted enquiry form, integration keys,
likely duplicates and merging."""
