"""Database tables, one module per concept.

Importing this package registers every model on the metadata, which
migrations and ``create_all`` need.
"""

from coop.models.accounts import User
from coop.models.coops import Coop, CoopCouncilLink
from coop.models.councils import Council, CouncilOfficer
from coop.models.mail import OutboxMessage, OutboxStatus
from coop.models.memberships import Invitation, Membership

__all__ = [
    "Coop",
    "CoopCouncilLink",
    "Council",
    "CouncilOfficer",
    "Invitation",
    "Membership",
    "OutboxMessage",
    "OutboxStatus",
    "User",
]
