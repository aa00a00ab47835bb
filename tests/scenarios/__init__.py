"""The scenarios package: the pipeline, matching firms, sourcing work, the ledger."""
