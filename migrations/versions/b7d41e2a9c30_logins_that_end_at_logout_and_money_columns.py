"""logins that end at logout, money columns that hold any sum, secret outbox messages

Revision ID: b7d41e2a9c30
Revises: e5f6513cc1c6
Create Date: 2026-12-02 12:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d41e2a9c30'
down_revision = 'e5f6513cc1c6'
branch_labels = None
depends_on = None

# Amounts that are summed, split or multiplied: (column, nullable) per table.
MONEY_COLUMNS = {
    'postings': [('amount_pence', False)],
    'bill_lines': [
        ('net_pence', False),
        ('vat_pence', False),
        ('markup_pence', False),
        ('deposit_pence', False),
        ('amount_pence', False),
        ('reference_pence', True),
    ],
    'round_costs': [('amount_pence', False)],
    'round_subsidies': [('cap_pence', True)],
    'support_records': [('value_pence', False)],
}


def _alter_money_columns(existing_type, type_):
    for table, columns in MONEY_COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, nullable in columns:
                batch_op.alter_column(
                    column, existing_type=existing_type, type_=type_, existing_nullable=nullable
                )


def upgrade():
    # --- messages whose link lets the reader in ---
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('secret', sa.Boolean(), server_default=sa.false(), nullable=False))
    # --- end of secret messages ---

    # --- logins that end at logout ---
    op.create_table('login_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_digest', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.Column('user_agent', sa.String(length=120), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('length(token_digest) = 64', name=op.f('ck_login_sessions_token_digest_sha256')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions')),
    sa.UniqueConstraint('token_digest', name=op.f('uq_login_sessions_token_digest'))
    )
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_sessions_user_id'), ['user_id'], unique=False)
    # --- end of logins ---

    # --- money columns that hold any sum ---
    _alter_money_columns(sa.Integer(), sa.BigInteger())
    # --- end of money columns ---


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('secret')

    # --- money columns that hold any sum ---
    _alter_money_columns(sa.BigInteger(), sa.Integer())
    # --- end of money columns ---

    # --- logins that end at logout ---
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_sessions_user_id'))

    op.drop_table('login_sessions')
    # --- end of logins ---
