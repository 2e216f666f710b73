"""volunteer hours household facts and erasure

Revision ID: f7b3d5e9a2c4
Revises: e6a2c4d8f1b3
Create Date: 2026-12-03 07:00:00.000000

A household's postcode and size move from columns on `memberships` into
`household_facts`, one consented row per fact. A postcode was only kept with
consent; a size was given on a form that said what the co-op uses it for, so
both come across under consent text version 1, dated when this runs.
"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f7b3d5e9a2c4'
down_revision = 'e6a2c4d8f1b3'
branch_labels = None
depends_on = None

FACTS = ('postcode', 'household_size', 'children_under_5', 'children_under_18', 'pension_age', 'disability')
RANGES = {
    'household_size': (1, 30),
    'children_under_5': (0, 30),
    'children_under_18': (0, 30),
    'pension_age': (0, 1),
    'disability': (0, 1),
}


def _now():
    return datetime.now(UTC).replace(tzinfo=None)


def upgrade():
    op.create_table('household_facts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('membership_id', sa.Integer(), nullable=False),
    sa.Column('fact', sa.Enum(*FACTS, name='household_fact', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('postcode', sa.String(length=8), nullable=True),
    sa.Column('consent_version', sa.Integer(), nullable=False),
    sa.Column('consented_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("(fact = 'postcode') = (postcode IS NOT NULL)", name=op.f('ck_household_facts_postcode_fact')),
    sa.CheckConstraint("(fact = 'postcode') = (number IS NULL)", name=op.f('ck_household_facts_number_fact')),
    sa.CheckConstraint('consent_version >= 1', name=op.f('ck_household_facts_consent_version_positive')),
    *(
        sa.CheckConstraint(f"fact <> '{fact}' OR number BETWEEN {low} AND {high}", name=op.f(f'ck_household_facts_{fact}_range'))
        for fact, (low, high) in RANGES.items()
    ),
    sa.ForeignKeyConstraint(['membership_id'], ['memberships.id'], name=op.f('fk_household_facts_membership_id_memberships'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household_facts')),
    sa.UniqueConstraint('membership_id', 'fact', name=op.f('uq_household_facts_membership_id_fact'))
    )
    with op.batch_alter_table('household_facts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_facts_membership_id'), ['membership_id'], unique=False)

    op.create_table('volunteer_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('length(name) BETWEEN 1 AND 60', name=op.f('ck_volunteer_tasks_name_length')),
    sa.ForeignKeyConstraint(['coop_id'], ['coops.id'], name=op.f('fk_volunteer_tasks_coop_id_coops')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_tasks')),
    sa.UniqueConstraint('coop_id', 'name', name=op.f('uq_volunteer_tasks_coop_id_name'))
    )
    with op.batch_alter_table('volunteer_tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_tasks_coop_id'), ['coop_id'], unique=False)

    op.create_table('volunteer_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('coop_id', sa.Integer(), nullable=False),
    sa.Column('membership_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('worked_on', sa.Date(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('logged_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('minutes BETWEEN 15 AND 1440 AND minutes % 15 = 0', name=op.f('ck_volunteer_entries_minutes_in_quarters')),
    sa.ForeignKeyConstraint(['coop_id'], ['coops.id'], name=op.f('fk_volunteer_entries_coop_id_coops')),
    sa.ForeignKeyConstraint(['logged_by_id'], ['users.id'], name=op.f('fk_volunteer_entries_logged_by_id_users')),
    sa.ForeignKeyConstraint(['membership_id'], ['memberships.id'], name=op.f('fk_volunteer_entries_membership_id_memberships')),
    sa.ForeignKeyConstraint(['task_id'], ['volunteer_tasks.id'], name=op.f('fk_volunteer_entries_task_id_volunteer_tasks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_entries'))
    )
    with op.batch_alter_table('volunteer_entries', schema=None) as batch_op:
        batch_op.create_index('ix_volunteer_entries_coop_id_worked_on', ['coop_id', 'worked_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_volunteer_entries_membership_id'), ['membership_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_volunteer_entries_task_id'), ['task_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(), nullable=True))

    now = {'now': _now()}
    op.execute(sa.text(
        "INSERT INTO household_facts (membership_id, fact, postcode, consent_version, consented_at) "
        "SELECT id, 'postcode', postcode, 1, :now FROM memberships "
        "WHERE postcode IS NOT NULL AND postcode_consent"
    ).bindparams(**now))
    op.execute(sa.text(
        "INSERT INTO household_facts (membership_id, fact, number, consent_version, consented_at) "
        "SELECT id, 'household_size', household_size, 1, :now FROM memberships "
        "WHERE household_size IS NOT NULL"
    ).bindparams(**now))
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_memberships_postcode_needs_consent'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_memberships_household_size_range'), type_='check')
        batch_op.drop_column('postcode_consent')
        batch_op.drop_column('postcode')
        batch_op.drop_column('household_size')


def downgrade():
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('household_size', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('postcode', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('postcode_consent', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(
        "UPDATE memberships SET household_size = (SELECT number FROM household_facts "
        "WHERE household_facts.membership_id = memberships.id AND fact = 'household_size')"
    )
    op.execute(
        "UPDATE memberships SET postcode = (SELECT postcode FROM household_facts "
        "WHERE household_facts.membership_id = memberships.id AND fact = 'postcode')"
    )
    op.execute(sa.text("UPDATE memberships SET postcode_consent = :yes WHERE postcode IS NOT NULL").bindparams(yes=True))
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.alter_column('postcode_consent', server_default=None)
        batch_op.create_check_constraint(batch_op.f('ck_memberships_household_size_range'), 'household_size IS NULL OR household_size BETWEEN 1 AND 30')
        batch_op.create_check_constraint(batch_op.f('ck_memberships_postcode_needs_consent'), 'postcode IS NULL OR postcode_consent')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('erased_at')

    with op.batch_alter_table('volunteer_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_entries_task_id'))
        batch_op.drop_index(batch_op.f('ix_volunteer_entries_membership_id'))
        batch_op.drop_index('ix_volunteer_entries_coop_id_worked_on')
    op.drop_table('volunteer_entries')
    with op.batch_alter_table('volunteer_tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_tasks_coop_id'))
    op.drop_table('volunteer_tasks')
    with op.batch_alter_table('household_facts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_facts_membership_id'))
    op.drop_table('household_facts')
