"""hadolint rules (one module per rule)."""
