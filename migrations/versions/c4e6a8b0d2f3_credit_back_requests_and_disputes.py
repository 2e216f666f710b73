"""credit-back requests, disputes and card fees

Revision ID: c4e6a8b0d2f3
Revises: b3d5f7a9c1e2
Create Date: 2026-12-03 19:40:00.000000

`credit_back_requests`: a household asking for its credit back, and the
treasurer's answer (one waiting per household: `pending_key` is unique).
`card_disputes`: a cardholder's dispute, posted once and reversed once if
won. `card_payments.disputed_pence` holds what disputes took back (with the
refunds, never more than the payment) and `fee_transaction_id` the fund
expense of the processor's fee, once. A fund entry may now be held in
`card` (the processor's fee comes out of card money).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4e6a8b0d2f3'
down_revision = 'b3d5f7a9c1e2'
branch_labels = None
depends_on = None

OLD_HELD_IN = ('cash', 'bank')
NEW_HELD_IN = (*OLD_HELD_IN, 'card')


def _held_in(table, column, values):
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(f'ck_{table}_held_in'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f(f'ck_{table}_held_in'),
            f"{column} IN ({', '.join(repr(value) for value in values)})",
        )


def upgrade():
    with op.batch_alter_table('card_payments', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('disputed_pence', sa.BigInteger(), server_default='0', nullable=False)
        )
        batch_op.add_column(sa.Column('fee_transaction_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f('uq_card_payments_fee_transaction_id'), ['fee_transaction_id']
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_card_payments_fee_transaction_id_ledger_transactions'),
            'ledger_transactions',
            ['fee_transaction_id'],
            ['id'],
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_card_payments_disputed_within_amount'),
            'disputed_pence >= 0 AND refunded_pence + disputed_pence <= amount_pence',
        )

    op.create_table(
        'card_disputes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('card_payment_id', sa.Integer(), nullable=False),
        sa.Column('dispute_id', sa.String(length=255), nullable=False),
        sa.Column('amount_pence', sa.BigInteger(), nullable=False),
        sa.Column('reason', sa.String(length=100), nullable=False),
        sa.Column('status', sa.String(length=40), nullable=False),
        sa.Column('transaction_id', sa.Integer(), nullable=True),
        sa.Column('reversal_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint('amount_pence > 0', name=op.f('ck_card_disputes_amount_positive')),
        sa.ForeignKeyConstraint(
            ['card_payment_id'],
            ['card_payments.id'],
            name=op.f('fk_card_disputes_card_payment_id_card_payments'),
        ),
        sa.ForeignKeyConstraint(
            ['reversal_id'],
            ['ledger_transactions.id'],
            name=op.f('fk_card_disputes_reversal_id_ledger_transactions'),
        ),
        sa.ForeignKeyConstraint(
            ['transaction_id'],
            ['ledger_transactions.id'],
            name=op.f('fk_card_disputes_transaction_id_ledger_transactions'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_card_disputes')),
        sa.UniqueConstraint('dispute_id', name=op.f('uq_card_disputes_dispute_id')),
        sa.UniqueConstraint('reversal_id', name=op.f('uq_card_disputes_reversal_id')),
        sa.UniqueConstraint('transaction_id', name=op.f('uq_card_disputes_transaction_id')),
    )
    with op.batch_alter_table('card_disputes', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_card_disputes_card_payment_id'), ['card_payment_id'], unique=False
        )

    op.create_table(
        'credit_back_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('coop_id', sa.Integer(), nullable=False),
        sa.Column('membership_id', sa.Integer(), nullable=False),
        sa.Column('amount_pence', sa.BigInteger(), nullable=False),
        sa.Column('message', sa.String(length=500), nullable=False),
        sa.Column(
            'status',
            sa.Enum(
                'pending',
                'approved',
                'declined',
                name='credit_back_status',
                native_enum=False,
                create_constraint=True,
                length=8,
            ),
            nullable=False,
        ),
        sa.Column('pending_key', sa.Integer(), nullable=True),
        sa.Column('note', sa.String(length=500), nullable=False),
        sa.Column('requested_at', sa.DateTime(), nullable=False),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint(
            'amount_pence > 0', name=op.f('ck_credit_back_requests_amount_positive')
        ),
        sa.CheckConstraint(
            "(status = 'pending') = (pending_key IS NOT NULL)",
            name=op.f('ck_credit_back_requests_pending_holds_key'),
        ),
        sa.ForeignKeyConstraint(
            ['coop_id'], ['coops.id'], name=op.f('fk_credit_back_requests_coop_id_coops')
        ),
        sa.ForeignKeyConstraint(
            ['decided_by_id'],
            ['users.id'],
            name=op.f('fk_credit_back_requests_decided_by_id_users'),
        ),
        sa.ForeignKeyConstraint(
            ['membership_id'],
            ['memberships.id'],
            name=op.f('fk_credit_back_requests_membership_id_memberships'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_back_requests')),
        sa.UniqueConstraint('pending_key', name=op.f('uq_credit_back_requests_pending_key')),
    )
    with op.batch_alter_table('credit_back_requests', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_credit_back_requests_coop_id'), ['coop_id'], unique=False
        )
        batch_op.create_index(
            batch_op.f('ix_credit_back_requests_membership_id'), ['membership_id'], unique=False
        )

    _held_in('fund_entries', 'method', NEW_HELD_IN)
    _held_in('reconciliations', 'account', NEW_HELD_IN)


def downgrade():
    _held_in('reconciliations', 'account', OLD_HELD_IN)
    _held_in('fund_entries', 'method', OLD_HELD_IN)

    with op.batch_alter_table('credit_back_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_back_requests_membership_id'))
        batch_op.drop_index(batch_op.f('ix_credit_back_requests_coop_id'))
    op.drop_table('credit_back_requests')

    with op.batch_alter_table('card_disputes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_card_disputes_card_payment_id'))
    op.drop_table('card_disputes')

    with op.batch_alter_table('card_payments', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('ck_card_payments_disputed_within_amount'), type_='check'
        )
        batch_op.drop_constraint(
            batch_op.f('fk_card_payments_fee_transaction_id_ledger_transactions'),
            type_='foreignkey',
        )
        batch_op.drop_constraint(
            batch_op.f('uq_card_payments_fee_transaction_id'), type_='unique'
        )
        batch_op.drop_column('fee_transaction_id')
        batch_op.drop_column('disputed_pence')
