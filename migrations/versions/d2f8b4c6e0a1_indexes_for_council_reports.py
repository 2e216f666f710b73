"""indexes for council reports

Revision ID: d2f8b4c6e0a1
Revises: c1e7a3b5d9f0
Create Date: 2026-12-03 08:15:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd2f8b4c6e0a1'
down_revision = 'c1e7a3b5d9f0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bill_lines', schema=None) as batch_op:
        batch_op.create_index(
            'ix_bill_lines_round_id_kind_membership_id_units',
            ['round_id', 'kind', 'membership_id', 'units'],
            unique=False,
            postgresql_include=['supplier_id', 'reference_pence', 'round_item_id'],
        )


def downgrade():
    with op.batch_alter_table('bill_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_bill_lines_round_id_kind_membership_id_units')
