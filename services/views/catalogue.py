"""The service catalogue (admin edits it)."""
