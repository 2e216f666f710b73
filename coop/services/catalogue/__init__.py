"""Catalogues: suppliers, products, prices, imports, sharing and feeds."""
