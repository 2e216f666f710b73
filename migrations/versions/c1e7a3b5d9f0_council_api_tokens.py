"""council api tokens

Revision ID: c1e7a3b5d9f0
Revises: a8c4e2f6b1d3
Create Date: 2026-12-03 08:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c1e7a3b5d9f0'
down_revision = 'a8c4e2f6b1d3'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
