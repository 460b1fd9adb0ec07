"""pybuild rules (one module per rule)."""
