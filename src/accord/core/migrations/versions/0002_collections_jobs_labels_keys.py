"""TAXII support: object labels, collections, import jobs and node keys.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

import json

import sqlalchemy as sa
from alembic import op

from accord.core.tables import SequenceNumber, UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_CHUNK_ROWS = 5000


def upgrade() -> None:
    op.create_table(
        "object_labels",
        sa.Column("object_seq", SequenceNumber, nullable=False),
        sa.Column("label", sa.String(250), nullable=False),
        sa.ForeignKeyConstraint(
            ["object_seq"],
            ["stix_objects.seq"],
            name="fk_object_labels_object_seq_stix_objects",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("object_seq", "label", name="pk_object_labels"),
    )
    op.create_index("ix_object_labels_label_object_seq", "object_labels", ["label", "object_seq"])
    _label_stored_objects()
    op.create_table(
        "collections",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("alias", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("types", sa.Text(), nullable=False),
        sa.Column("label", sa.String(250), nullable=True),
        sa.Column("audience", sa.String(64), nullable=True),
        sa.Column("writable", sa.Boolean(), nullable=False),
        sa.Column("created", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_collections"),
        sa.UniqueConstraint("alias", name="uq_collections_alias"),
    )
    op.create_table(
        "import_jobs",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("partner", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("collection_id", sa.String(36), nullable=True),
        sa.Column("requested", UtcDateTime(), nullable=False),
        sa.Column("finished", UtcDateTime(), nullable=True),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["partner"], ["partners.code"], name="fk_import_jobs_partner_partners"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_import_jobs"),
    )
    op.create_index("ix_import_jobs_finished", "import_jobs", ["finished"])
    op.create_table(
        "node_keys",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("secret", sa.LargeBinary(), nullable=False),
        sa.Column("created", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_node_keys"),
    )


def _label_stored_objects() -> None:
    """Index the labels of the objects stored before this revision, so the views that
    select by label (the cooperation areas) show them too."""
    connection = op.get_bind()
    objects = sa.table("stix_objects", sa.column("seq"), sa.column("body"))
    labels = sa.table("object_labels", sa.column("object_seq"), sa.column("label"))
    after = 0
    while True:
        rows = connection.execute(
            sa.select(objects.c.seq, objects.c.body)
            .where(objects.c.seq > after, objects.c.body.contains('"labels":'))
            .order_by(objects.c.seq)
            .limit(_CHUNK_ROWS)
        ).all()
        if not rows:
            return
        found = [
            {"object_seq": seq, "label": label}
            for seq, body in rows
            for label in dict.fromkeys(json.loads(body).get("labels") or ())
            if isinstance(label, str) and len(label) <= 250
        ]
        if found:
            connection.execute(sa.insert(labels), found)
        after = rows[-1].seq


def downgrade() -> None:
    op.drop_table("node_keys")
    op.drop_index("ix_import_jobs_finished", table_name="import_jobs")
    op.drop_table("import_jobs")
    op.drop_table("collections")
    op.drop_index("ix_object_labels_label_object_seq", table_name="object_labels")
    op.drop_table("object_labels")
