"""bank details and payment references

Revision ID: e8a1b3c5d7f9
Revises: d4e6a8c0f2b3
Create Date: 2026-12-03 13:45:00.000000

A co-op's bank account and cash instructions, for the "How to pay" that
statements, bills and reminders show. Households' payment references are
worked out from the co-op's address and the membership's id
(coop.domain.bank), so no column holds them and existing households have
theirs already.
"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'e8a1b3c5d7f9'
down_revision = 'd4e6a8c0f2b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('coops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bank_account_name', sa.String(length=70), nullable=True))
        batch_op.add_column(sa.Column('bank_sort_code', sa.String(length=6), nullable=True))
        batch_op.add_column(sa.Column('bank_account_number', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('bank_roll_number', sa.String(length=18), nullable=True))
        batch_op.add_column(
            sa.Column('cash_instructions', sa.Text(), server_default='', nullable=False)
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_coops_bank_sort_code_length'),
            'bank_sort_code IS NULL OR length(bank_sort_code) = 6',
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_coops_bank_account_number_length'),
            'bank_account_number IS NULL OR length(bank_account_number) = 8',
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_coops_bank_details_whole'),
            '(bank_account_name IS NULL AND bank_sort_code IS NULL AND bank_account_number IS NULL)'
            ' OR (bank_account_name IS NOT NULL AND bank_sort_code IS NOT NULL'
            ' AND bank_account_number IS NOT NULL)',
        )
    # The default filled the existing rows; new ones get theirs from the model.
    with op.batch_alter_table('coops', schema=None) as batch_op:
        batch_op.alter_column(
            'cash_instructions', existing_type=sa.Text(), existing_nullable=False, server_default=None
        )


def downgrade():
    with op.batch_alter_table('coops', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_coops_bank_details_whole'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_coops_bank_account_number_length'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_coops_bank_sort_code_length'), type_='check')
        batch_op.drop_column('cash_instructions')
        batch_op.drop_column('bank_roll_number')
        batch_op.drop_column('bank_account_number')
        batch_op.drop_column('bank_sort_code')
        batch_op.drop_column('bank_account_name')
