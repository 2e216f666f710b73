"""indexes for fast council reports

Revision ID: e5b1c7d9a3f4
Revises: d2f8b4c6e0a1
Create Date: 2026-12-03 12:50:00.000000

"""
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = 'e5b1c7d9a3f4'
down_revision = 'd2f8b4c6e0a1'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
