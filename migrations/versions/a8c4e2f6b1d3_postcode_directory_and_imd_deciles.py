"""postcode directory and imd deciles

Revision ID: a8c4e2f6b1d3
Revises: f7b3d5e9a2c4
Create Date: 2026-12-03 07:40:00.000000

The ONS postcode directory and the English Indices of Deprivation's IMD
deciles, each loaded as an edition that becomes active in one switch.
Suppliers already keep a postcode; whether one is local is worked out from
it, so nothing changes on `suppliers`.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a8c4e2f6b1d3'
down_revision = 'f7b3d5e9a2c4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('postcode_editions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('lsoa_vintage', sa.Integer(), nullable=True),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('activated_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('lsoa_vintage IN (2011, 2021)', name=op.f('ck_postcode_editions_lsoa_vintage_known')),
    sa.CheckConstraint('rows >= 0', name=op.f('ck_postcode_editions_rows_not_negative')),
    sa.CheckConstraint('length(name) > 0', name=op.f('ck_postcode_editions_name_not_empty')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_postcode_editions'))
    )
    with op.batch_alter_table('postcode_editions', schema=None) as batch_op:
        batch_op.create_index('uq_postcode_editions_active', ['active'], unique=True, sqlite_where=sa.text('active'), postgresql_where=sa.text('active'))

    op.create_table('postcodes',
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.Column('postcode', sa.String(length=7), nullable=False),
    sa.Column('ward', sa.String(length=9), nullable=True),
    sa.Column('lsoa', sa.String(length=9), nullable=True),
    sa.Column('lad', sa.String(length=9), nullable=True),
    sa.ForeignKeyConstraint(['edition_id'], ['postcode_editions.id'], name=op.f('fk_postcodes_edition_id_postcode_editions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('edition_id', 'postcode', name=op.f('pk_postcodes'))
    )

    op.create_table('imd_editions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('lsoa_vintage', sa.Integer(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('activated_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('year IN (2019, 2025)', name=op.f('ck_imd_editions_year_known')),
    sa.CheckConstraint('(year = 2019 AND lsoa_vintage = 2011) OR (year = 2025 AND lsoa_vintage = 2021)', name=op.f('ck_imd_editions_lsoa_vintage_of_year')),
    sa.CheckConstraint('rows >= 0', name=op.f('ck_imd_editions_rows_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_imd_editions'))
    )
    with op.batch_alter_table('imd_editions', schema=None) as batch_op:
        batch_op.create_index('uq_imd_editions_active', ['active'], unique=True, sqlite_where=sa.text('active'), postgresql_where=sa.text('active'))

    op.create_table('imd_deciles',
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.Column('lsoa', sa.String(length=9), nullable=False),
    sa.Column('decile', sa.Integer(), nullable=False),
    sa.CheckConstraint('decile BETWEEN 1 AND 10', name=op.f('ck_imd_deciles_decile_range')),
    sa.ForeignKeyConstraint(['edition_id'], ['imd_editions.id'], name=op.f('fk_imd_deciles_edition_id_imd_editions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('edition_id', 'lsoa', name=op.f('pk_imd_deciles'))
    )


def downgrade():
    op.drop_table('imd_deciles')
    with op.batch_alter_table('imd_editions', schema=None) as batch_op:
        batch_op.drop_index('uq_imd_editions_active', sqlite_where=sa.text('active'), postgresql_where=sa.text('active'))
    op.drop_table('imd_editions')
    op.drop_table('postcodes')
    with op.batch_alter_table('postcode_editions', schema=None) as batch_op:
        batch_op.drop_index('uq_postcode_editions_active', sqlite_where=sa.text('active'), postgresql_where=sa.text('active'))
    op.drop_table('postcode_editions')
