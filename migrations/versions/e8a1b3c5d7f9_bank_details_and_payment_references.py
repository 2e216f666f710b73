"""bank details and payment references

Revision ID: e8a1b3c5d7f9
Revises: d4e6a8c0f2b3
Create Date: 2026-12-03 13:45:00.000000

"""
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = 'e8a1b3c5d7f9'
down_revision = 'd4e6a8c0f2b3'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
