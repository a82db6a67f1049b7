"""Payment plans, demands, receipts, credit and debit notes, statements of account."""
