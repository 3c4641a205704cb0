"""Indicators: the registry of follow-up indicators and the measure behind each.

Importing the package registers every indicator of the goal modules, in the order of
DESIGN §4, so `registry.REGISTRY` is complete whichever module is imported first."""

from evaluation.indicators import goal1, goal2, goal3, quality  # noqa: F401 (registers)
