"""connected Stripe accounts

Revision ID: d5f7b9c1e3a4
Revises: c4e6a8b0d2f3
Create Date: 2026-12-03 19:40:00.000000
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = "d5f7b9c1e3a4"
down_revision = "c4e6a8b0d2f3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("coops", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stripe_account_id", sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_coops_stripe_account_id"), ["stripe_account_id"]
        )


def downgrade():
    with op.batch_alter_table("coops", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_coops_stripe_account_id"), type_="unique")
        batch_op.drop_column("stripe_account_id")
