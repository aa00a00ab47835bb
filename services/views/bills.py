"""Provider bills reconciled against grants (not built yet)."""

MESSAGES = {}
