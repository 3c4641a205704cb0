"""Reference tables shipped with the package (see evaluation.reference)."""
