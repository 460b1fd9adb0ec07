"""buildkit rules (one module per rule)."""
