"""The demo's scenarios (not built yet)."""


def load_demo(session, tenants, rng):
    """A plausible year of scenarios at every stage and the sourcing work behind them."""
