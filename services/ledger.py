"""The services package's indicators (G1, P1) and ledger sheets."""

AGREEMENT = "provider_agreement"  # attachment owner: an agreement's file
REQUEST = "service_request"  # attachment owner: a request's outcome files


def register(reg):
    """Plug G1, P1 and the services sheets into the registry."""
