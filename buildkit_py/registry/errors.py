"""Registry errors: exit status 1 for what went wrong talking to a registry, 2 for bad input."""
from __future__ import annotations

from ..errors import PybuildError


class RegistryError(PybuildError):
    """A registry request failed (unreachable, refused, an error status, a bad answer)."""

    exit_code = 1

    def location(self) -> str:
        return self.path or "pybuild"


class Unreachable(RegistryError):
    """No answer: the connection could not be made or kept (refused, unknown host, TLS, timeouts)."""


class AuthError(RegistryError):
    """The registry wants credentials we do not have, or refused the ones we gave."""


class NotFound(RegistryError):
    """The registry does not have the manifest or blob asked for."""


class BadInput(RegistryError):
    """A malformed cache spec, registry config file or option value (exit status 2)."""

    exit_code = 2
