"""Indicators: the registry of follow-up indicators and the measure behind each."""
