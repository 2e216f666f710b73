"""council api tokens

Revision ID: c1e7a3b5d9f0
Revises: a8c4e2f6b1d3
Create Date: 2026-12-03 08:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c1e7a3b5d9f0'
down_revision = 'a8c4e2f6b1d3'
branch_labels = None
depends_on = None


# A token is scoped to one council: revoking it, or its officer leaving that
# council, touches nothing of another; an officer of two councils makes two.


def upgrade():
    op.create_table('council_api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('council_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('token_digest', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('length(name) > 0', name=op.f('ck_council_api_tokens_name_not_empty')),
    sa.CheckConstraint('length(token_digest) = 64', name=op.f('ck_council_api_tokens_token_digest_length')),
    sa.CheckConstraint('revoked_at IS NULL OR revoked_at >= created_at', name=op.f('ck_council_api_tokens_revoked_after')),
    sa.ForeignKeyConstraint(['council_id'], ['councils.id'], name=op.f('fk_council_api_tokens_council_id_councils')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_council_api_tokens_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_council_api_tokens')),
    sa.UniqueConstraint('token_digest', name=op.f('uq_council_api_tokens_token_digest'))
    )
    with op.batch_alter_table('council_api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_council_api_tokens_council_id'), ['council_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_council_api_tokens_created_by_id'), ['created_by_id'], unique=False)


def downgrade():
    with op.batch_alter_table('council_api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_council_api_tokens_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_council_api_tokens_council_id'))

    op.drop_table('council_api_tokens')
