"""monitoring returns and generated documents

Revision ID: f6c2d8e0b4a5
Revises: e5b1c7d9a3f4
Create Date: 2026-12-03 12:50:00.000000

"""
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = 'f6c2d8e0b4a5'
down_revision = 'e5b1c7d9a3f4'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
