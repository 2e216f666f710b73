"""Placing postcodes: loading the ONS postcode directory and IMD deciles, and looking them up."""
