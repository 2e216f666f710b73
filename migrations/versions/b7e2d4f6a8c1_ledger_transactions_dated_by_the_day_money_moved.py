"""ledger transactions dated by the day money moved: payments, refunds, supplier payments, transfers

Revision ID: b7e2d4f6a8c1
Revises: a9d3f5b7c1e4
Create Date: 2026-12-06 22:20:00.000000

`ledger_transactions.occurred_on` is the day a treasurer said the money
moved. NULL, as every transaction written before it has, means the day the
transaction was written, which is how they were all dated until now: there
is nothing to fill in.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7e2d4f6a8c1"
down_revision = "a9d3f5b7c1e4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("ledger_transactions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("occurred_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("ledger_transactions", schema=None) as batch_op:
        batch_op.drop_column("occurred_on")
