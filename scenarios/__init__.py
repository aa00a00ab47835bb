"""Scenarios: the pipeline that discovers application scenarios (应用场景) for the
community's firms and lands them (C1), matched to firms by fit, with the
sourcing work behind them as the proof of a working mechanism.

A firm staff confirm for a scenario is served (S4, source SERVED_SOURCE) on the
day it was matched.
"""

SERVED_SOURCE = "scenarios"


def init_app(app):
    from scenarios import models  # noqa: F401  (tables known to Alembic)
