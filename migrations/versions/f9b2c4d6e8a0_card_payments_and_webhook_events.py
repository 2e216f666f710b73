"""card payments and webhook events

Revision ID: f9b2c4d6e8a0
Revises: e8a1b3c5d7f9
Create Date: 2026-12-03 13:45:00.000000

"""
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = 'f9b2c4d6e8a0'
down_revision = 'e8a1b3c5d7f9'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
