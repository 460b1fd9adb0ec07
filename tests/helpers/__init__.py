"""Helpers shared by test packages (rootfs tarballs, ...)."""
