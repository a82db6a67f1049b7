"""Money: unit inventory, bookings, the customer account ledger and idempotent POSTs."""
