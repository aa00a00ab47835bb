"""The demo's services (not built yet)."""


def load_demo(session, tenants, rng):
    """Fill the directory, catalogue, quotas, requests, grants and matchmaking."""
