"""supplier column mappings, and uploads kept as the bytes sent with the choices made on them

A supplier keeps the mapping of its own price-list columns to product
fields (JSON text, "" when none), so next week's list imports without
asking. An upload waiting for confirmation keeps its file as bytes (a CSV
file or a spreadsheet) with the format, sheet, VAT map and column mapping
chosen on its preview; uploads stored as text are kept as their UTF-8 bytes.

Revision ID: e6a8c0d2f4b5
Revises: d5f7b9c1e3a4
Create Date: 2026-12-03 19:40:00.000000
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e6a8c0d2f4b5'
down_revision = 'd5f7b9c1e3a4'
branch_labels = None
depends_on = None


def _copy(source, source_type, target, target_type, convert):
    """Fill column *target* of every upload from column *source*, through *convert*."""
    connection = op.get_bind()
    uploads = sa.table(
        'catalogue_imports',
        sa.column('id', sa.Integer()),
        sa.column(source, source_type),
        sa.column(target, target_type),
    )
    rows = connection.execute(sa.select(uploads.c.id, uploads.c[source])).all()
    for upload_id, value in rows:
        connection.execute(
            sa.update(uploads).where(uploads.c.id == upload_id).values({target: convert(value)})
        )


def upgrade():
    with op.batch_alter_table('suppliers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('column_mapping', sa.Text(), server_default='', nullable=False))
    with op.batch_alter_table('suppliers', schema=None) as batch_op:
        batch_op.alter_column('column_mapping', existing_type=sa.Text(), server_default=None)

    with op.batch_alter_table('catalogue_imports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content_bytes', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('format', sa.String(length=20), server_default='auto', nullable=False))
        batch_op.add_column(sa.Column('sheet', sa.String(length=255), server_default='', nullable=False))
        batch_op.add_column(sa.Column('vat_map', sa.String(length=255), server_default='', nullable=False))
        batch_op.add_column(sa.Column('mapping', sa.Text(), server_default='', nullable=False))
    _copy('content', sa.Text(), 'content_bytes', sa.LargeBinary(), lambda text: (text or '').encode('utf-8'))
    with op.batch_alter_table('catalogue_imports', schema=None) as batch_op:
        batch_op.drop_column('content')
        batch_op.alter_column(
            'content_bytes',
            new_column_name='content',
            existing_type=sa.LargeBinary(),
            nullable=False,
        )
        # The empty defaults filled the rows there were; new rows get theirs from the models.
        batch_op.alter_column('sheet', existing_type=sa.String(length=255), server_default=None)
        batch_op.alter_column('vat_map', existing_type=sa.String(length=255), server_default=None)
        batch_op.alter_column('mapping', existing_type=sa.Text(), server_default=None)


def downgrade():
    with op.batch_alter_table('catalogue_imports', schema=None) as batch_op:
        batch_op.alter_column('content', new_column_name='content_bytes', existing_type=sa.LargeBinary())
    with op.batch_alter_table('catalogue_imports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content', sa.Text(), nullable=True))
    # A spreadsheet has no text form: it is kept as nothing, to be uploaded again.
    _copy('content_bytes', sa.LargeBinary(), 'content', sa.Text(), lambda data: _text(bytes(data or b'')))
    with op.batch_alter_table('catalogue_imports', schema=None) as batch_op:
        batch_op.drop_column('content_bytes')
        batch_op.alter_column('content', existing_type=sa.Text(), nullable=False)
        batch_op.drop_column('mapping')
        batch_op.drop_column('vat_map')
        batch_op.drop_column('sheet')
        batch_op.drop_column('format')

    with op.batch_alter_table('suppliers', schema=None) as batch_op:
        batch_op.drop_column('column_mapping')


def _text(data):
    try:
        return data.decode('utf-8')
    except UnicodeDecodeError:
        return ''
