"""Council support records: keeping them, proposing them, what falls due, subsidies used."""
