"""indexes for council reports

Revision ID: d2f8b4c6e0a1
Revises: c1e7a3b5d9f0
Create Date: 2026-12-03 08:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd2f8b4c6e0a1'
down_revision = 'c1e7a3b5d9f0'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
