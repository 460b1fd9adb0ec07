"""The syntax of image reference parts, as docker's reference grammar has it.

One definition for store/reference.py (the full parser) and registry/leanref.py (the lean paths,
which cannot afford to import the store package).
"""
from __future__ import annotations

import re

COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*")
DOMAIN = re.compile(
    r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
    r"(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?"
)
TAG = re.compile(r"[\w][\w.-]{0,127}")
HEX64 = re.compile(r"[0-9a-f]{64}")
