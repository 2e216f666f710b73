"""support records in full and councils that change

Revision ID: e6a2c4d8f1b3
Revises: d4e1a7c0b9f2
Create Date: 2026-12-03 07:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e6a2c4d8f1b3'
down_revision = 'd4e1a7c0b9f2'
branch_labels = None
depends_on = None

SUPPORT_STATUS = sa.Enum(
    'proposed', 'active', 'closed', 'declined',
    name='support_status', native_enum=False, create_constraint=True, length=8,
)

TEXTS = (
    ('intermediary', sa.String(length=200)),
    ('value_basis', sa.String(length=200)),
    ('conditions', sa.Text()),
    ('decision_note', sa.Text()),
)


def upgrade():
    with op.batch_alter_table('councils', schema=None) as batch_op:
        batch_op.add_column(sa.Column('successor_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_councils_successor_id'), ['successor_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_councils_successor_id_councils'), 'councils', ['successor_id'], ['id']
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_councils_successor_not_itself'), 'successor_id IS NULL OR successor_id <> id'
        )

    with op.batch_alter_table('support_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('intermediary', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('value_basis', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('spend_by', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('conditions', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('restricted_fund', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('underspend_returnable', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('acknowledgement_required', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('acknowledged_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('monitoring_months', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('monitoring_next_due', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('status', SUPPORT_STATUS, server_default='active', nullable=False))
        batch_op.add_column(sa.Column('decision_note', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('proposed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decided_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decided_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_support_records_proposed_by_id_users'), 'users', ['proposed_by_id'], ['id']
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_support_records_decided_by_id_users'), 'users', ['decided_by_id'], ['id']
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_support_records_monitoring_months_known'),
            'monitoring_months IS NULL OR monitoring_months IN (1, 3, 6, 12)',
        )

    # The empty-text defaults only fill the rows already there; new rows get theirs from the app.
    with op.batch_alter_table('support_records', schema=None) as batch_op:
        for column, type_ in TEXTS:
            batch_op.alter_column(column, existing_type=type_, existing_nullable=False, server_default=None)

    with op.batch_alter_table('postings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('support_record_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_postings_support_record_id'), ['support_record_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_postings_support_record_id_support_records'),
            'support_records', ['support_record_id'], ['id'],
        )

    op.create_table('support_record_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('support_record_id', sa.Integer(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('field', sa.String(length=60), nullable=False),
    sa.Column('old_value', sa.Text(), nullable=False),
    sa.Column('new_value', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_support_record_changes_changed_by_id_users')),
    sa.ForeignKeyConstraint(['support_record_id'], ['support_records.id'], name=op.f('fk_support_record_changes_support_record_id_support_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_record_changes'))
    )
    with op.batch_alter_table('support_record_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_record_changes_support_record_id'), ['support_record_id'], unique=False)

    op.create_table('support_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('support_record_id', sa.Integer(), nullable=False),
    sa.Column('what', sa.String(length=20), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['support_record_id'], ['support_records.id'], name=op.f('fk_support_reminders_support_record_id_support_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_reminders')),
    sa.UniqueConstraint('support_record_id', 'what', 'due_on', name=op.f('uq_support_reminders_support_record_id_what_due_on'))
    )
    with op.batch_alter_table('support_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_reminders_support_record_id'), ['support_record_id'], unique=False)


def downgrade():
    with op.batch_alter_table('support_reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_reminders_support_record_id'))
    op.drop_table('support_reminders')

    with op.batch_alter_table('support_record_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_record_changes_support_record_id'))
    op.drop_table('support_record_changes')

    with op.batch_alter_table('postings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_postings_support_record_id_support_records'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_postings_support_record_id'))
        batch_op.drop_column('support_record_id')

    with op.batch_alter_table('support_records', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_support_records_monitoring_months_known'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_support_records_support_status'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_support_records_decided_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_support_records_proposed_by_id_users'), type_='foreignkey')
        for column in (
            'decided_at', 'decided_by_id', 'proposed_by_id', 'decision_note', 'status',
            'monitoring_next_due', 'monitoring_months', 'acknowledged_on', 'acknowledgement_required',
            'underspend_returnable', 'restricted_fund', 'conditions', 'spend_by',
            'value_basis', 'intermediary',
        ):
            batch_op.drop_column(column)

    with op.batch_alter_table('councils', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_councils_successor_not_itself'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_councils_successor_id_councils'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_councils_successor_id'))
        batch_op.drop_column('successor_id')
