"""Pages of the money domain: bookings, inventory and the customer ledger."""
