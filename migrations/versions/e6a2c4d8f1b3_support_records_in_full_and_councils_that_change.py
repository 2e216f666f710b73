"""support records in full and councils that change

Revision ID: e6a2c4d8f1b3
Revises: d4e1a7c0b9f2
Create Date: 2026-12-03 07:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e6a2c4d8f1b3'
down_revision = 'd4e1a7c0b9f2'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
