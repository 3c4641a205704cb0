"""Intake: read, match and validate a round's files into tidy tables and findings."""
