"""co-op stock offered as round items

Revision ID: a2c4e6f8b0d1
Revises: f9b2c4d6e8a0
Create Date: 2026-12-03 19:40:00.000000

`round_items.stock_round_item_id`: an item of a round offered from the
co-op's own stock names the settled round's item whose surplus it offers;
such an item has no supplier and no product (both columns become nullable)
and a case of one unit.
"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'a2c4e6f8b0d1'
down_revision = 'f9b2c4d6e8a0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("round_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stock_round_item_id", sa.Integer(), nullable=True))
        batch_op.alter_column("round_supplier_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("product_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_round_items_stock_round_item_id_round_items"),
            "round_items",
            ["stock_round_item_id"],
            ["id"],
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_round_items_round_id_stock_round_item_id"), ["round_id", "stock_round_item_id"]
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_round_items_from_a_supplier_or_stock"),
            "(stock_round_item_id IS NULL) = (round_supplier_id IS NOT NULL)",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_round_items_product_unless_stock"),
            "(stock_round_item_id IS NULL) = (product_id IS NOT NULL)",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_round_items_stock_by_the_unit"),
            "stock_round_item_id IS NULL OR case_size = 1",
        )


def downgrade():
    op.execute("DELETE FROM stock_movements WHERE kind = 'offered'")
    op.execute(
        "DELETE FROM allocations WHERE round_item_id IN "
        "(SELECT id FROM round_items WHERE stock_round_item_id IS NOT NULL)"
    )
    op.execute(
        "DELETE FROM order_requests WHERE round_item_id IN "
        "(SELECT id FROM round_items WHERE stock_round_item_id IS NOT NULL)"
    )
    op.execute("UPDATE bill_lines SET round_item_id = NULL WHERE round_item_id IN "
               "(SELECT id FROM round_items WHERE stock_round_item_id IS NOT NULL)")
    op.execute("DELETE FROM round_items WHERE stock_round_item_id IS NOT NULL")
    with op.batch_alter_table("round_items", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("ck_round_items_stock_by_the_unit"), type_="check"
        )
        batch_op.drop_constraint(
            batch_op.f("ck_round_items_product_unless_stock"), type_="check"
        )
        batch_op.drop_constraint(
            batch_op.f("ck_round_items_from_a_supplier_or_stock"), type_="check"
        )
        batch_op.drop_constraint(batch_op.f("uq_round_items_round_id_stock_round_item_id"), type_="unique")
        batch_op.drop_constraint(
            batch_op.f("fk_round_items_stock_round_item_id_round_items"), type_="foreignkey"
        )
        batch_op.alter_column("product_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("round_supplier_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("stock_round_item_id")
