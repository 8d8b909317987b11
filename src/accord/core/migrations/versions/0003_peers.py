"""Federation: peer nodes and their sync cursors.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from accord.core.tables import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "peers",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("partner", sa.String(32), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("mode", sa.String(8), nullable=False),
        sa.Column("collections", sa.Text(), nullable=True),
        sa.Column("token", sa.LargeBinary(), nullable=False),
        sa.Column("created", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["partner"], ["partners.code"], name="fk_peers_partner_partners"),
        sa.PrimaryKeyConstraint("name", name="pk_peers"),
    )
    op.create_table(
        "peer_cursors",
        sa.Column("peer", sa.String(64), nullable=False),
        sa.Column("collection", sa.String(64), nullable=False),
        sa.Column("direction", sa.String(4), nullable=False),
        sa.Column("position", sa.Text(), nullable=True),
        sa.Column("last_sync", UtcDateTime(), nullable=True),
        sa.Column("objects", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["peer"], ["peers.name"], name="fk_peer_cursors_peer_peers", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("peer", "collection", "direction", name="pk_peer_cursors"),
    )


def downgrade() -> None:
    op.drop_table("peer_cursors")
    op.drop_table("peers")
