"""credit approvals and the co-op's stock

Revision ID: d4e6a8c0f2b3
Revises: c3d5f7b9e1a2
Create Date: 2026-12-03 13:15:00.000000

"""
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = 'd4e6a8c0f2b3'
down_revision = 'c3d5f7b9e1a2'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
