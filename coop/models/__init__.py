"""Database tables, one module per concept.

Importing this package registers every model on the metadata, which
migrations and ``create_all`` need.
"""

from coop.models.accounts import Login, User
from coop.models.api_tokens import CouncilApiToken
from coop.models.bills import BillLine, BillLineKind, RoundCost, RoundSubsidy, SplitBasis
from coop.models.books import (
    FundCategory,
    FundDirection,
    FundEntry,
    HeldIn,
    Receipt,
    ReconciledPosting,
    Reconciliation,
)
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
from coop.models.credit import CreditApproval
from coop.models.household import HouseholdFact
from coop.models.jobs import JobRun, JobRunStatus
from coop.models.ledger import Account, AccountKind, LedgerTransaction, Posting, TransactionKind
from coop.models.mail import OutboxMessage, OutboxStatus
from coop.models.memberships import Invitation, Membership
from coop.models.monitoring import MonitoringReturn, MonitoringReturnPdf
from coop.models.notifications import Announcement, NotificationOptOut, NotificationSent
from coop.models.openings import OpeningBalance
from coop.models.payments import (
    CardDispute,
    CardPayment,
    CardPaymentStatus,
    CardPurpose,
    CardRefund,
    CreditBackRequest,
    CreditBackStatus,
    StripeEvent,
    StripePayout,
)
from coop.models.places import ImdDecile, ImdEdition, Postcode, PostcodeEdition
from coop.models.rounds import Allocation, Collection, OrderRequest, Round, RoundItem, RoundSupplier
from coop.models.saved_cards import SavedCard
from coop.models.stock import StockMovement, StockMovementKind
from coop.models.support import (
    SupportKind,
    SupportRecord,
    SupportRecordChange,
    SupportReminder,
    SupportStatus,
)
from coop.models.volunteering import VolunteerEntry, VolunteerTask

__all__ = [
    "Account",
    "AccountKind",
    "Allocation",
    "Announcement",
    "BillLine",
    "BillLineKind",
    "CardDispute",
    "CardPayment",
    "CardPaymentStatus",
    "CardPurpose",
    "CardRefund",
    "CatalogueFeed",
    "CatalogueImport",
    "CatalogueSubscription",
    "Collection",
    "Coop",
    "CoopCouncilLink",
    "Council",
    "CouncilApiToken",
    "CouncilOfficer",
    "CreditApproval",
    "CreditBackRequest",
    "CreditBackStatus",
    "FundCategory",
    "FundDirection",
    "FundEntry",
    "HeldIn",
    "HouseholdFact",
    "ImdDecile",
    "ImdEdition",
    "Invitation",
    "JobRun",
    "JobRunStatus",
    "LedgerTransaction",
    "Login",
    "Membership",
    "MonitoringReturn",
    "MonitoringReturnPdf",
    "NotificationOptOut",
    "NotificationSent",
    "OpeningBalance",
    "OrderRequest",
    "OutboxMessage",
    "OutboxStatus",
    "Postcode",
    "PostcodeEdition",
    "Posting",
    "PriceChange",
    "Product",
    "Receipt",
    "ReconciledPosting",
    "Reconciliation",
    "Round",
    "RoundCost",
    "RoundItem",
    "RoundSubsidy",
    "RoundSupplier",
    "SavedCard",
    "ShareScope",
    "SplitBasis",
    "StockMovement",
    "StockMovementKind",
    "StripeEvent",
    "StripePayout",
    "Supplier",
    "SupplierKind",
    "SupportKind",
    "SupportRecord",
    "SupportRecordChange",
    "SupportReminder",
    "SupportStatus",
    "TransactionKind",
    "User",
    "VolunteerEntry",
    "VolunteerTask",
]
