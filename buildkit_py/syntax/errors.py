"""The one error the syntax layer raises."""
from __future__ import annotations

from ..errors import PybuildError


class DockerfileSyntaxError(PybuildError):
    """A Dockerfile that BuildKit would reject, with the place and, where we can, a hint."""
