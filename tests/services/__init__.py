"""The services package: catalogue, requests, subsidies, bills, financing."""
