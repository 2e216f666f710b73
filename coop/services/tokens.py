"""Secret tokens given out once (invitation links, catalogue feed tokens), kept only as digests.

The token goes to the person or co-op it is for; the database keeps its
SHA-256 digest, so a copy of the database opens nothing.
"""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> tuple[str, str]:
    """Return a new URL-safe token and the digest to store in its place."""
    token = secrets.token_urlsafe(32)
    return token, token_digest(token)


def token_digest(token: str) -> str:
    """Return the SHA-256 hex digest stored in place of *token*."""
    return hashlib.sha256(token.encode()).hexdigest()
