"""Server settings from the command line, and the default client credentials."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "DEFAULT_BODY_TIMEOUT_SECONDS",
    "DEFAULT_CLIENT_KEY",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_KEY_TTL_SECONDS",
    "MAX_BODY_BYTES",
    "Settings",
]

DEFAULT_CLIENT_KEY = "reference-client"
DEFAULT_CLIENT_SECRET = "reference-secret"
DEFAULT_KEY_TTL_SECONDS = 86_400.0
MAX_BODY_BYTES = 64 * 1024
DEFAULT_BODY_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class Settings:
    db_path: str = ":memory:"
    key_ttl: float = DEFAULT_KEY_TTL_SECONDS
    clients: dict[str, str] = field(
        default_factory=lambda: {DEFAULT_CLIENT_KEY: DEFAULT_CLIENT_SECRET}
    )
    rate_limit: float | None = None
    """Requests per second per client; None means no limit."""
    body_timeout: float = DEFAULT_BODY_TIMEOUT_SECONDS
    """Seconds a request body may take to arrive in full; a slower one gets 408."""
    latency: float = 0.0
    """Seconds every operation waits before it starts: a target far away, for benchmarks."""
