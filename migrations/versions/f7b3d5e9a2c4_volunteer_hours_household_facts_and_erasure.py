"""volunteer hours household facts and erasure

Revision ID: f7b3d5e9a2c4
Revises: e6a2c4d8f1b3
Create Date: 2026-12-03 07:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f7b3d5e9a2c4'
down_revision = 'e6a2c4d8f1b3'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
