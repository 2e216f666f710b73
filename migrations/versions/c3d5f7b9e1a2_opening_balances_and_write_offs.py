"""opening balances and write-offs

Revision ID: c3d5f7b9e1a2
Revises: b2c4e6a8d0f1
Create Date: 2026-12-03 13:15:00.000000

"""
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = 'c3d5f7b9e1a2'
down_revision = 'b2c4e6a8d0f1'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
