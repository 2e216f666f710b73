"""Council reports: the metrics of METRICS.md, computed in the database and suppressed."""
