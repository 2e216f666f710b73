"""Money: the ledger, settlement, bills, shared costs, statements and the treasury."""
