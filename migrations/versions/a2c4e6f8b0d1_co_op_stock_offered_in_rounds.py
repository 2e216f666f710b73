"""co-op stock offered as round items

Revision ID: a2c4e6f8b0d1
Revises: f9b2c4d6e8a0
Create Date: 2026-12-03 19:40:00.000000
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'a2c4e6f8b0d1'
down_revision = 'f9b2c4d6e8a0'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
