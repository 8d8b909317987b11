"""Initial schema: versioned STIX objects, release lists, partners, principals, audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from accord.core.tables import SequenceNumber, UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "release_lists",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("grantees", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_release_lists"),
        sa.UniqueConstraint("grantees", name="uq_release_lists_grantees"),
    )
    op.create_table(
        "release_list_grantees",
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("grantee", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"], ["release_lists.id"], name="fk_release_list_grantees_list_id_release_lists"
        ),
        sa.PrimaryKeyConstraint("list_id", "grantee", name="pk_release_list_grantees"),
    )
    op.create_index("ix_release_list_grantees_grantee", "release_list_grantees", ["grantee"])
    op.create_table(
        "stix_objects",
        sa.Column("seq", SequenceNumber, primary_key=True, autoincrement=True),
        sa.Column("stix_id", sa.String(300), nullable=False),
        sa.Column("type", sa.String(250), nullable=False),
        sa.Column("spec_version", sa.String(8), nullable=False),
        sa.Column("created", UtcDateTime(), nullable=True),
        sa.Column("modified", UtcDateTime(), nullable=False),
        sa.Column("date_added", UtcDateTime(), nullable=False),
        sa.Column("owner", sa.String(32), nullable=False),
        sa.Column("tlp", sa.String(16), nullable=True),
        sa.Column("release_list", sa.Integer(), nullable=True),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("is_latest", sa.Boolean(), nullable=False),
        sa.Column("has_refs", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["release_list"],
            ["release_lists.id"],
            name="fk_stix_objects_release_list_release_lists",
        ),
        sa.PrimaryKeyConstraint("seq", name="pk_stix_objects"),
        sa.UniqueConstraint("stix_id", "modified", name="uq_stix_objects_stix_id_modified"),
    )
    op.create_index("ix_stix_objects_type_is_latest", "stix_objects", ["type", "is_latest"])
    op.create_index("ix_stix_objects_date_added", "stix_objects", ["date_added"])
    op.create_index("ix_stix_objects_release_list", "stix_objects", ["release_list"])

    op.create_table(
        "object_required_refs",
        sa.Column("object_seq", SequenceNumber, nullable=False),
        sa.Column("ref_id", sa.String(300), nullable=False),
        sa.Column("mode", sa.String(3), nullable=False),
        sa.ForeignKeyConstraint(
            ["object_seq"],
            ["stix_objects.seq"],
            name="fk_object_required_refs_object_seq_stix_objects",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("object_seq", "ref_id", name="pk_object_required_refs"),
    )
    op.create_index("ix_object_required_refs_ref_id", "object_required_refs", ["ref_id"])

    op.create_table(
        "partners",
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("identity_id", sa.String(300), nullable=False),
        sa.Column("created", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_partners"),
        sa.UniqueConstraint("identity_id", name="uq_partners_identity_id"),
    )
    op.create_table(
        "sharing_groups",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_sharing_groups"),
    )
    op.create_table(
        "group_members",
        sa.Column("group_name", sa.String(64), nullable=False),
        sa.Column("partner", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_name"],
            ["sharing_groups.name"],
            name="fk_group_members_group_name_sharing_groups",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partner"], ["partners.code"], name="fk_group_members_partner_partners"
        ),
        sa.PrimaryKeyConstraint("group_name", "partner", name="pk_group_members"),
    )
    op.create_table(
        "users",
        sa.Column("username", sa.String(128), nullable=False),
        sa.Column("partner", sa.String(32), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("created", UtcDateTime(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["partner"], ["partners.code"], name="fk_users_partner_partners"),
        sa.PrimaryKeyConstraint("username", name="pk_users"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("token_id", sa.String(32), nullable=False),
        sa.Column("partner", sa.String(32), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("created", UtcDateTime(), nullable=False),
        sa.Column("expires", UtcDateTime(), nullable=True),
        sa.Column("revoked", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["partner"], ["partners.code"], name="fk_api_tokens_partner_partners"
        ),
        sa.PrimaryKeyConstraint("token_id", name="pk_api_tokens"),
    )
    op.create_table(
        "audit_log",
        sa.Column("seq", SequenceNumber, autoincrement=False, nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_log"),
    )
    write_lock = op.create_table(
        "write_lock",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_write_lock"),
    )
    op.bulk_insert(write_lock, [{"id": 1, "generation": 0}])


def downgrade() -> None:
    for table in (
        "write_lock",
        "audit_log",
        "api_tokens",
        "users",
        "group_members",
        "sharing_groups",
        "partners",
        "object_required_refs",
        "stix_objects",
        "release_list_grantees",
        "release_lists",
    ):
        op.drop_table(table)
