"""The report notebooks, shipped with the package (see evaluation.runner)."""
