"""monitoring returns and generated documents

Revision ID: f6c2d8e0b4a5
Revises: e5b1c7d9a3f4
Create Date: 2026-12-03 12:50:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f6c2d8e0b4a5'
down_revision = 'e5b1c7d9a3f4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('monitoring_returns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('support_record_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('delivered', sa.Text(), nullable=False),
    sa.Column('outcomes', sa.Text(), nullable=False),
    sa.Column('story', sa.Text(), nullable=False),
    sa.Column('challenges', sa.Text(), nullable=False),
    sa.Column('next_plans', sa.Text(), nullable=False),
    sa.Column('spend_notes', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='0', nullable=False),
    sa.Column('saved_by_id', sa.Integer(), nullable=True),
    sa.Column('saved_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('period_end >= period_start', name=op.f('ck_monitoring_returns_period_dates')),
    sa.CheckConstraint('version >= 0', name=op.f('ck_monitoring_returns_version_not_negative')),
    sa.ForeignKeyConstraint(['saved_by_id'], ['users.id'], name=op.f('fk_monitoring_returns_saved_by_id_users')),
    sa.ForeignKeyConstraint(['support_record_id'], ['support_records.id'], name=op.f('fk_monitoring_returns_support_record_id_support_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_returns')),
    sa.UniqueConstraint('support_record_id', 'period_start', 'period_end', name=op.f('uq_monitoring_returns_support_record_id_period_start_period_end'))
    )
    with op.batch_alter_table('monitoring_returns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitoring_returns_support_record_id'), ['support_record_id'], unique=False)

    op.create_table('monitoring_return_pdfs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('monitoring_return_id', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('generated_at', sa.DateTime(), nullable=False),
    sa.Column('generated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('version >= 0', name=op.f('ck_monitoring_return_pdfs_version_not_negative')),
    sa.ForeignKeyConstraint(['generated_by_id'], ['users.id'], name=op.f('fk_monitoring_return_pdfs_generated_by_id_users')),
    sa.ForeignKeyConstraint(['monitoring_return_id'], ['monitoring_returns.id'], name=op.f('fk_monitoring_return_pdfs_monitoring_return_id_monitoring_returns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_return_pdfs')),
    sa.UniqueConstraint('monitoring_return_id', name=op.f('uq_monitoring_return_pdfs_monitoring_return_id'))
    )


def downgrade():
    op.drop_table('monitoring_return_pdfs')
    with op.batch_alter_table('monitoring_returns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monitoring_returns_support_record_id'))
    op.drop_table('monitoring_returns')
