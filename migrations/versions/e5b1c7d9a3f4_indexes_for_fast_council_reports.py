"""indexes for fast council reports

Revision ID: e5b1c7d9a3f4
Revises: d2f8b4c6e0a1
Create Date: 2026-12-03 12:50:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e5b1c7d9a3f4'
down_revision = 'd2f8b4c6e0a1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bill_lines', schema=None) as batch_op:
        batch_op.create_index(
            'ix_bill_lines_round_id_kind_supplier_id_round_item_id',
            ['round_id', 'kind', 'supplier_id', 'round_item_id', 'reference_pence'],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table('bill_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_bill_lines_round_id_kind_supplier_id_round_item_id')
