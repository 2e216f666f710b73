"""Admin pages for suppliers, products, imports and sharing."""
