"""Admin pages for rounds: their moves, order sheets, receiving and packing."""
