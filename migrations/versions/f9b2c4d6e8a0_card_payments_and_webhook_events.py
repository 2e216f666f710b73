"""card payments and webhook events

Revision ID: f9b2c4d6e8a0
Revises: e8a1b3c5d7f9
Create Date: 2026-12-03 13:45:00.000000

`card_payments`: each PaymentIntent created for a household, its status and
its one ledger posting; `open_key` (unique, cleared when the payment
finishes) keeps a bill to one open payment. `stripe_events`: each webhook
event id handled, so a replay changes nothing. `card_refunds`: money sent
back against a card payment.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f9b2c4d6e8a0'
down_revision = 'e8a1b3c5d7f9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('card_payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('membership_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Enum('top_up', 'bill', 'auto_pay', name='card_purpose', native_enum=False, create_constraint=True, length=8), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('amount_pence', sa.BigInteger(), nullable=False),
    sa.Column('payment_intent_id', sa.String(length=255), nullable=False),
    sa.Column('stripe_account', sa.String(length=255), nullable=True),
    sa.Column('status', sa.Enum('requires_payment_method', 'requires_action', 'processing', 'succeeded', 'failed', 'canceled', name='card_payment_status', native_enum=False, create_constraint=True, length=23), nullable=False),
    sa.Column('idempotency_key', sa.String(length=100), nullable=False),
    sa.Column('open_key', sa.String(length=100), nullable=True),
    sa.Column('ledger_transaction_id', sa.Integer(), nullable=True),
    sa.Column('failure_message', sa.String(length=500), nullable=True),
    sa.Column('fee_pence', sa.BigInteger(), nullable=True),
    sa.Column('refunded_pence', sa.BigInteger(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("(purpose = 'top_up') = (round_id IS NULL)", name=op.f('ck_card_payments_bill_names_round')),
    sa.CheckConstraint("open_key IS NULL OR purpose <> 'top_up'", name=op.f('ck_card_payments_only_bill_payments_hold_open_key')),
    sa.CheckConstraint('amount_pence > 0', name=op.f('ck_card_payments_amount_positive')),
    sa.CheckConstraint('fee_pence IS NULL OR fee_pence >= 0', name=op.f('ck_card_payments_fee_not_negative')),
    sa.CheckConstraint('refunded_pence >= 0 AND refunded_pence <= amount_pence', name=op.f('ck_card_payments_refund_within_amount')),
    sa.ForeignKeyConstraint(['coop_id'], ['coops.id'], name=op.f('fk_card_payments_coop_id_coops')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_card_payments_created_by_id_users')),
    sa.ForeignKeyConstraint(['ledger_transaction_id'], ['ledger_transactions.id'], name=op.f('fk_card_payments_ledger_transaction_id_ledger_transactions')),
    sa.ForeignKeyConstraint(['membership_id'], ['memberships.id'], name=op.f('fk_card_payments_membership_id_memberships')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_card_payments_round_id_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_card_payments')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_card_payments_idempotency_key')),
    sa.UniqueConstraint('ledger_transaction_id', name=op.f('uq_card_payments_ledger_transaction_id')),
    sa.UniqueConstraint('open_key', name=op.f('uq_card_payments_open_key')),
    sa.UniqueConstraint('payment_intent_id', name=op.f('uq_card_payments_payment_intent_id'))
    )
    with op.batch_alter_table('card_payments', schema=None) as batch_op:
        batch_op.create_index('ix_card_payments_coop_id_created_at', ['coop_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_card_payments_membership_id'), ['membership_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_card_payments_round_id'), ['round_id'], unique=False)

    op.create_table('card_refunds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('card_payment_id', sa.Integer(), nullable=False),
    sa.Column('refund_id', sa.String(length=255), nullable=False),
    sa.Column('amount_pence', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('ledger_transaction_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('amount_pence > 0', name=op.f('ck_card_refunds_amount_positive')),
    sa.ForeignKeyConstraint(['card_payment_id'], ['card_payments.id'], name=op.f('fk_card_refunds_card_payment_id_card_payments')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_card_refunds_created_by_id_users')),
    sa.ForeignKeyConstraint(['ledger_transaction_id'], ['ledger_transactions.id'], name=op.f('fk_card_refunds_ledger_transaction_id_ledger_transactions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_card_refunds')),
    sa.UniqueConstraint('ledger_transaction_id', name=op.f('uq_card_refunds_ledger_transaction_id')),
    sa.UniqueConstraint('refund_id', name=op.f('uq_card_refunds_refund_id'))
    )
    with op.batch_alter_table('card_refunds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_card_refunds_card_payment_id'), ['card_payment_id'], unique=False)

    op.create_table('stripe_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=255), nullable=False),
    sa.Column('type', sa.String(length=100), nullable=False),
    sa.Column('account', sa.String(length=255), nullable=True),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('result', sa.String(length=40), nullable=False),
    sa.Column('card_payment_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['card_payment_id'], ['card_payments.id'], name=op.f('fk_stripe_events_card_payment_id_card_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stripe_events')),
    sa.UniqueConstraint('event_id', name=op.f('uq_stripe_events_event_id'))
    )
    with op.batch_alter_table('stripe_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stripe_events_card_payment_id'), ['card_payment_id'], unique=False)



def downgrade():
    with op.batch_alter_table('stripe_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stripe_events_card_payment_id'))

    op.drop_table('stripe_events')
    with op.batch_alter_table('card_refunds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_card_refunds_card_payment_id'))

    op.drop_table('card_refunds')
    with op.batch_alter_table('card_payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_card_payments_round_id'))
        batch_op.drop_index(batch_op.f('ix_card_payments_membership_id'))
        batch_op.drop_index('ix_card_payments_coop_id_created_at')

    op.drop_table('card_payments')
