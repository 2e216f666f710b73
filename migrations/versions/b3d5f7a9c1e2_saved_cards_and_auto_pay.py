"""saved cards and auto-pay

Revision ID: b3d5f7a9c1e2
Revises: a2c4e6f8b0d1
Create Date: 2026-12-03 19:40:00.000000

`saved_cards`: one row per household that has saved a card for auto-pay:
the card processor's customer (on the co-op's connected account, if any),
the SetupIntent being confirmed, the saved payment method with its brand,
last four digits and expiry (never the card number), and whether each
settled bill is charged to it.
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'b3d5f7a9c1e2'
down_revision = 'a2c4e6f8b0d1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "saved_cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("coop_id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("stripe_account", sa.String(length=255), nullable=True),
        sa.Column("customer_id", sa.String(length=255), nullable=False),
        sa.Column("setup_intent_id", sa.String(length=255), nullable=True),
        sa.Column("payment_method_id", sa.String(length=255), nullable=True),
        sa.Column("brand", sa.String(length=40), nullable=True),
        sa.Column("last4", sa.String(length=4), nullable=True),
        sa.Column("exp_month", sa.Integer(), nullable=True),
        sa.Column("exp_year", sa.Integer(), nullable=True),
        sa.Column("auto_pay", sa.Boolean(), nullable=False),
        sa.Column("saved_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "NOT auto_pay OR payment_method_id IS NOT NULL",
            name=op.f("ck_saved_cards_auto_pay_needs_card"),
        ),
        sa.CheckConstraint(
            "exp_month IS NULL OR exp_month BETWEEN 1 AND 12",
            name=op.f("ck_saved_cards_exp_month_valid"),
        ),
        sa.CheckConstraint(
            "last4 IS NULL OR length(last4) = 4", name=op.f("ck_saved_cards_last4_four_digits")
        ),
        sa.ForeignKeyConstraint(
            ["coop_id"], ["coops.id"], name=op.f("fk_saved_cards_coop_id_coops")
        ),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["memberships.id"],
            name=op.f("fk_saved_cards_membership_id_memberships"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_cards")),
        sa.UniqueConstraint("membership_id", name=op.f("uq_saved_cards_membership_id")),
    )
    with op.batch_alter_table("saved_cards", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_saved_cards_coop_id"), ["coop_id"], unique=False)


def downgrade():
    with op.batch_alter_table("saved_cards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saved_cards_coop_id"))
    op.drop_table("saved_cards")
