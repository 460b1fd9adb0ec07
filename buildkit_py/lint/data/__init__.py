"""Data tables the lint rules need (embedded and dated; see each module)."""
