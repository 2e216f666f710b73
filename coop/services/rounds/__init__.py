"""Order rounds: their lifecycle, items, orders, closing, receiving and packing."""
