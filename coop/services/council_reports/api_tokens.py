"""Tokens for the council reports API: made and revoked by the council's officers.

A token is scoped to one council and works while it is not revoked and
the officer who made it is still an officer of that council. Only its
SHA-256 digest is stored; the token is shown once, when it is made.
"""

from __future__ import annotations

from sqlalchemy import exists, select

from coop.extensions import db
from coop.models import Council, CouncilApiToken, CouncilOfficer, User
from coop.models.types import utcnow
from coop.services.errors import ServiceError
from coop.services.tokens import new_token, token_digest

NAME_LIMIT = 120


def tokens_of(*, council: Council) -> list[CouncilApiToken]:
    """Return the council's tokens, newest first."""
    return list(
        db.session.scalars(
            select(CouncilApiToken)
            .where(CouncilApiToken.council_id == council.id)
            .order_by(CouncilApiToken.created_at.desc(), CouncilApiToken.id.desc())
        )
    )


def token_of(*, council: Council, token_id: int) -> CouncilApiToken | None:
    """Return one of the council's tokens, or None."""
    return db.session.scalar(
        select(CouncilApiToken).where(
            CouncilApiToken.id == token_id, CouncilApiToken.council_id == council.id
        )
    )


def create_api_token(
    *, council: Council, name: str, created_by: User
) -> tuple[CouncilApiToken, str]:
    """Make a token for *council*'s reports; return it and the token, which is not kept."""
    name = name.strip()
    if not name:
        raise ServiceError(
            "Say what the token is for, such as the system that uses it.", field="name"
        )
    if len(name) > NAME_LIMIT:
        raise ServiceError(f"Keep the name to {NAME_LIMIT} characters.", field="name")
    token, digest = new_token()
    made = CouncilApiToken(
        council_id=council.id, created_by_id=created_by.id, name=name, token_digest=digest
    )
    db.session.add(made)
    db.session.flush()
    return made, token


def revoke_api_token(*, api_token: CouncilApiToken) -> CouncilApiToken:
    """Stop *api_token* from working."""
    if api_token.revoked_at is not None:
        raise ServiceError(f"The token “{api_token.name}” is already revoked.")
    api_token.revoked_at = utcnow()
    db.session.flush()
    return api_token


def working_token(*, token: str) -> CouncilApiToken | None:
    """Return the unrevoked token *token* is, while its maker is an officer of its council."""
    if not token:
        return None
    return db.session.scalar(
        select(CouncilApiToken).where(
            CouncilApiToken.token_digest == token_digest(token),
            CouncilApiToken.revoked_at.is_(None),
            exists().where(
                CouncilOfficer.council_id == CouncilApiToken.council_id,
                CouncilOfficer.user_id == CouncilApiToken.created_by_id,
            ),
        )
    )


def note_use(*, api_token: CouncilApiToken) -> None:
    """Record that *api_token* was used now."""
    api_token.last_used_at = utcnow()
    db.session.flush()
