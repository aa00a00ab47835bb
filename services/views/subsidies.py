"""Subsidy quotas and grants."""
