"""Pages of the documents: the letterhead and GST settings, quotations, a buyer's documents."""
