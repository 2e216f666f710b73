"""connected Stripe accounts and payouts

Revision ID: d5f7b9c1e3a4
Revises: c4e6a8b0d2f3
Create Date: 2026-12-03 19:40:00.000000

`coops.stripe_account_id`: the co-op's own Stripe account on a platform with
Connect, and what Stripe last said of it (charges enabled, details
submitted, when it was read). `stripe_payouts`: each payout an account's
webhook reported, by arrival date, for the card reconciliation page.
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
        batch_op.add_column(
            sa.Column(
                "stripe_charges_enabled", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch_op.add_column(
            sa.Column(
                "stripe_details_submitted", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch_op.add_column(sa.Column("stripe_account_checked_at", sa.DateTime(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_coops_stripe_account_id"), ["stripe_account_id"]
        )

    op.create_table(
        "stripe_payouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payout_id", sa.String(length=255), nullable=False),
        sa.Column("stripe_account", sa.String(length=255), nullable=True),
        sa.Column("amount_pence", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("arrival_on", sa.Date(), nullable=False),
        sa.Column("failure_message", sa.String(length=500), nullable=True),
        sa.Column("event_created", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "amount_pence >= 0", name=op.f("ck_stripe_payouts_amount_not_negative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stripe_payouts")),
        sa.UniqueConstraint("payout_id", name=op.f("uq_stripe_payouts_payout_id")),
    )
    with op.batch_alter_table("stripe_payouts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stripe_payouts_stripe_account"), ["stripe_account"], unique=False
        )


def downgrade():
    with op.batch_alter_table("stripe_payouts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stripe_payouts_stripe_account"))
    op.drop_table("stripe_payouts")

    with op.batch_alter_table("coops", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_coops_stripe_account_id"), type_="unique")
        batch_op.drop_column("stripe_account_checked_at")
        batch_op.drop_column("stripe_details_submitted")
        batch_op.drop_column("stripe_charges_enabled")
        batch_op.drop_column("stripe_account_id")
