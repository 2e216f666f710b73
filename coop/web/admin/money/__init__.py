"""Admin pages for money: settling, bills, balances, payments and the ledger."""
