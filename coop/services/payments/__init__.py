"""Card payments: the gateway to the card processor, payments, webhook events, refunds."""
