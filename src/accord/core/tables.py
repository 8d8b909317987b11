"""The store's tables (SQLAlchemy Core), the same on SQLite and PostgreSQL.

Alembic migrations in ``accord.core.migrations`` create these; a test checks that the
migrated schema equals this metadata.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL wants a BIGINT identity.
SequenceNumber = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on both engines (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: Accord stores UTC-aware timestamps only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


objects = Table(
    "stix_objects",
    metadata,
    Column("seq", SequenceNumber, primary_key=True, autoincrement=True),
    Column("stix_id", String(300), nullable=False),
    Column("type", String(250), nullable=False),
    Column("spec_version", String(8), nullable=False),
    Column("created", UtcDateTime(), nullable=True),
    # The version key: `modified`, else `created`, else the epoch (SCOs carry neither).
    Column("modified", UtcDateTime(), nullable=False),
    Column("date_added", UtcDateTime(), nullable=False),
    Column("owner", String(32), nullable=False),
    Column("tlp", String(16), nullable=True),
    # The object's release list (partners and groups), shared by every object with it.
    Column("release_list", ForeignKey("release_lists.id"), nullable=True),
    Column("revoked", Boolean(), nullable=False),
    Column("is_latest", Boolean(), nullable=False),
    # Whether the body holds optional references that are redacted per reader on output.
    Column("has_refs", Boolean(), nullable=False),
    Column("body", Text(), nullable=False),
    UniqueConstraint("stix_id", "modified"),
    Index(None, "type", "is_latest"),
    Index(None, "date_added"),
    Index(None, "release_list"),
)

# Distinct release lists: partner codes and sharing-group names, as objects name them.
# Many objects share one list, so an object row carries only the list's id; groups resolve
# at read time, so a group's membership decides who reads its objects.
release_lists = Table(
    "release_lists",
    metadata,
    Column("id", Integer(), primary_key=True, autoincrement=False),
    # Sorted grantees joined by commas: the list's identity.
    Column("grantees", Text(), nullable=False, unique=True),
)

release_list_grantees = Table(
    "release_list_grantees",
    metadata,
    Column("list_id", ForeignKey("release_lists.id"), primary_key=True),
    Column("grantee", String(64), primary_key=True),
    Index(None, "grantee"),
)

# References an object cannot be shown without: mode "all" (every target must be visible,
# e.g. relationship source_ref/target_ref) or "any" (a required list such as report
# object_refs that must keep at least one visible entry).
object_required_refs = Table(
    "object_required_refs",
    metadata,
    Column("object_seq", ForeignKey("stix_objects.seq", ondelete="CASCADE"), primary_key=True),
    Column("ref_id", String(300), primary_key=True),
    Column("mode", String(3), nullable=False),
    Index(None, "ref_id"),
)

partners = Table(
    "partners",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("identity_id", String(300), nullable=False, unique=True),
    Column("created", UtcDateTime(), nullable=False),
)

sharing_groups = Table(
    "sharing_groups",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("description", Text(), nullable=False),
    Column("created", UtcDateTime(), nullable=False),
)

group_members = Table(
    "group_members",
    metadata,
    Column("group_name", ForeignKey("sharing_groups.name", ondelete="CASCADE"), primary_key=True),
    Column("partner", ForeignKey("partners.code"), primary_key=True),
)

users = Table(
    "users",
    metadata,
    Column("username", String(128), primary_key=True),
    Column("partner", ForeignKey("partners.code"), nullable=False),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("created", UtcDateTime(), nullable=False),
    Column("disabled", Boolean(), nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("token_id", String(32), primary_key=True),
    Column("partner", ForeignKey("partners.code"), nullable=False),
    Column("role", String(16), nullable=False),
    Column("label", String(200), nullable=False),
    # SHA-256 of the secret part: the secret has 256 random bits, so a slow hash adds nothing.
    Column("secret_sha256", String(64), nullable=False),
    Column("created", UtcDateTime(), nullable=False),
    Column("expires", UtcDateTime(), nullable=True),
    Column("revoked", UtcDateTime(), nullable=True),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", SequenceNumber, primary_key=True, autoincrement=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(64), nullable=False),
    Column("target", Text(), nullable=False),
    Column("detail", Text(), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("entry_hash", String(64), nullable=False),
)

# One row; every write transaction updates it first, so writers queue on both engines
# (SQLite takes its write lock, PostgreSQL a row lock). This keeps `seq` in commit order
# and the audit chain linear.
write_lock = Table(
    "write_lock",
    metadata,
    Column("id", Integer(), primary_key=True, autoincrement=False),
    Column("generation", BigInteger(), nullable=False),
)


# Labels of stored objects, so that views such as a cooperation area's collection
# ("area:maritime") select by index rather than by searching bodies.
object_labels = Table(
    "object_labels",
    metadata,
    Column("object_seq", ForeignKey("stix_objects.seq", ondelete="CASCADE"), primary_key=True),
    Column("label", String(250), primary_key=True),
    Index(None, "label", "object_seq"),
)

# Views on the store that TAXII serves as collections; what a caller sees in one is always
# filtered by releasability at read time.
collections = Table(
    "collections",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("alias", String(64), nullable=False, unique=True),
    Column("title", String(200), nullable=False),
    Column("description", Text(), nullable=False),
    # Comma-separated STIX types the view holds; empty means every type.
    Column("types", Text(), nullable=False),
    # A label the view's objects carry (e.g. "area:maritime"); null means any.
    Column("label", String(250), nullable=True),
    # A partner or sharing group the view's objects are released to; null means any. Only
    # that audience reads or writes the collection.
    Column("audience", String(64), nullable=True),
    Column("writable", Boolean(), nullable=False),
    Column("created", UtcDateTime(), nullable=False),
)

# Imports submitted over the API: the request's objects are kept until they are processed,
# so an acknowledged submission survives a restart; then the per-object outcome.
import_jobs = Table(
    "import_jobs",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("partner", ForeignKey("partners.code"), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("collection_id", String(36), nullable=True),
    Column("requested", UtcDateTime(), nullable=False),
    Column("finished", UtcDateTime(), nullable=True),
    Column("total", Integer(), nullable=False),
    # Submitted by a peer node: its objects are verified and stored as their signers'.
    Column("federated", Boolean(), nullable=False, server_default=false()),
    # The submitted objects (a JSON array) while the job waits; null once processed.
    Column("payload", LargeBinary(), nullable=True),
    # JSON: {"successes": [...], "failures": [...]} once processed.
    Column("outcome", Text(), nullable=True),
    Index(None, "finished"),
)

# Secrets the node generates for itself (e.g. the key that signs TAXII page cursors), kept
# in the store so that every server process of a node and every restart shares them.
node_keys = Table(
    "node_keys",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("secret", LargeBinary(), nullable=False),
    Column("created", UtcDateTime(), nullable=False),
)

# Partner nodes this node federates with: where they are, which partner runs them (whose
# signatures their objects carry, and to whom pushed objects must be released), the
# public key that signs them, and the credentials, encrypted with the node's federation key.
peers = Table(
    "peers",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("url", Text(), nullable=False),
    Column("partner", ForeignKey("partners.code"), nullable=False),
    Column("public_key", String(64), nullable=False),
    Column("mode", String(8), nullable=False),
    Column("collections", Text(), nullable=True),  # JSON list of ids; null: every one
    Column("token", LargeBinary(), nullable=False),  # encrypted
    Column("created", UtcDateTime(), nullable=False),
)

# Where each sync stands, per peer, collection and direction: the last date_added seen
# (a sync resumes with added_after from it, never from a server's `next` token).
peer_cursors = Table(
    "peer_cursors",
    metadata,
    Column("peer", ForeignKey("peers.name", ondelete="CASCADE"), primary_key=True),
    Column("collection", String(64), primary_key=True),
    Column("direction", String(4), primary_key=True),  # pull | push
    Column("position", Text(), nullable=True),
    Column("last_sync", UtcDateTime(), nullable=True),
    Column("objects", Integer(), nullable=False, default=0),
    Column("last_error", Text(), nullable=True),
)
