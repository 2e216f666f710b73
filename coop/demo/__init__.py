"""Demo data to try the platform with; loaded by ``flask --app coop seed-demo``."""
