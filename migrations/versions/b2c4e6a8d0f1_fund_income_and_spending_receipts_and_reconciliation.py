"""fund income and spending, receipts and reconciliation

Revision ID: b2c4e6a8d0f1
Revises: a1f3c5e7b9d2
Create Date: 2026-12-03 13:15:00.000000

"""
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = 'b2c4e6a8d0f1'
down_revision = 'a1f3c5e7b9d2'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
