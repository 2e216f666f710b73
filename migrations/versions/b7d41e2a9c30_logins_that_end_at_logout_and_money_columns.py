"""logins that end at logout, and money columns that hold any sum

Revision ID: b7d41e2a9c30
Revises: e5f6513cc1c6
Create Date: 2026-12-02 12:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d41e2a9c30'
down_revision = 'e5f6513cc1c6'
branch_labels = None
depends_on = None


def upgrade():
    # --- logins that end at logout ---
    pass
    # --- end of logins ---

    # --- money columns that hold any sum ---
    pass
    # --- end of money columns ---


def downgrade():
    # --- money columns that hold any sum ---
    pass
    # --- end of money columns ---

    # --- logins that end at logout ---
    pass
    # --- end of logins ---
