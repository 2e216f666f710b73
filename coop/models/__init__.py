"""Database tables, one module per concept.

Importing this package registers every model on the metadata, which
migrations and ``create_all`` need.
"""

from coop.models.accounts import User
from coop.models.catalogue import (
    CatalogueFeed,
    CatalogueImport,
    CatalogueSubscription,
    PriceChange,
    Product,
    ShareScope,
    Supplier,
    SupplierKind,
)
from coop.models.coops import Coop, CoopCouncilLink
from coop.models.councils import Council, CouncilOfficer
from coop.models.mail import OutboxMessage, OutboxStatus
from coop.models.memberships import Invitation, Membership
from coop.models.rounds import Allocation, Collection, OrderRequest, Round, RoundItem, RoundSupplier

__all__ = [
    "Allocation",
    "CatalogueFeed",
    "CatalogueImport",
    "CatalogueSubscription",
    "Collection",
    "Coop",
    "CoopCouncilLink",
    "Council",
    "CouncilOfficer",
    "Invitation",
    "Membership",
    "OrderRequest",
    "OutboxMessage",
    "OutboxStatus",
    "PriceChange",
    "Product",
    "Round",
    "RoundItem",
    "RoundSupplier",
    "ShareScope",
    "Supplier",
    "SupplierKind",
    "User",
]
