"""An Accord node: the store, partners, principals and audit log of one installation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from accord.core.audit import AuditLog
from accord.core.collections import (
    Collection,
    CollectionDirectory,
    CollectionSpec,
    default_collections,
    read_collections_file,
)
from accord.core.database import Database
from accord.core.errors import AccordError, ConfigurationError, InvalidInput, PermissionDenied
from accord.core.exchange import write_bundle
from accord.core.inbound import InboundReport, receive
from accord.core.ingest import MarkingOverride
from accord.core.jobs import ImportJob, ImportJobs, outcomes
from accord.core.markings import Tlp, builtin_objects
from accord.core.outbound import OutboundSigner
from accord.core.partners import Partner, PartnerDirectory, partner_identity
from accord.core.peers import PeerRegistry
from accord.core.policy import Reader
from accord.core.principals import Principals
from accord.core.queries import ObjectQuery
from accord.core.settings import Settings
from accord.core.signing import node_signing_key, signature_extension_definition
from accord.core.stix.canonical import format_timestamp
from accord.core.store import ImportReport, Progress, Store, StoredObject

# The parties of the EU's Security and Defence Partnerships, and the EU member states the
# demonstration partnership uses.
DEFAULT_PARTNERS: tuple[tuple[str, str], ...] = (
    ("EU", "European Union"),
    ("JP", "Japan"),
    ("KR", "Republic of Korea"),
    ("NO", "Norway"),
    ("MD", "Republic of Moldova"),
    ("DE", "Germany"),
    ("FR", "France"),
    ("IT", "Italy"),
    ("NL", "Netherlands"),
    ("PL", "Poland"),
    ("EE", "Estonia"),
)
DEFAULT_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("sdp-jp", "EU-Japan Security and Defence Partnership", ("EU", "JP")),
    ("sdp-kr", "EU-Republic of Korea Security and Defence Partnership", ("EU", "KR")),
    ("sdp-no", "EU-Norway Security and Defence Partnership", ("EU", "NO")),
    ("sdp-md", "EU-Moldova Security and Defence Partnership", ("EU", "MD")),
    ("maritime-indo-pacific", "Maritime security in the Indo-Pacific", ("EU", "JP", "KR")),
    (
        "eu-member-states",
        "The EU and its member states on this node",
        ("EU", "DE", "FR", "IT", "NL", "PL", "EE"),
    ),
)


class Node:
    """One Accord installation; build it from :class:`Settings` at the process boundary."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.database = Database(settings.resolved_database_url())
        self.audit = AuditLog(self.database)
        self.partners = PartnerDirectory(self.database, self.audit)
        self.principals = Principals(self.database, self.audit)
        self.collections = CollectionDirectory(self.database, self.audit)
        self.peers = PeerRegistry(self.database, self.audit, settings)
        self.jobs = ImportJobs(self.database)
        self.store = Store(
            self.database,
            self.audit,
            batch_size=settings.import_batch_size,
            workers=settings.import_workers,
        )
        self._outbound: OutboundSigner | None = None

    @classmethod
    def open(cls, settings: Settings) -> Node:
        """An existing node; ConfigurationError if ``accord init`` has not run there."""
        node = cls(settings)
        if not node.database.is_initialised():
            node.close()
            raise ConfigurationError(
                f"no Accord node at {settings.resolved_database_url()}: run `accord init` first"
            )
        if not node.database.is_current():
            node.close()
            raise ConfigurationError(
                f"the node at {settings.resolved_database_url()} has an older schema: "
                "run `accord init` to upgrade it"
            )
        return node

    def initialise(self, *, actor: str, seed: bool = True) -> None:
        """Create or upgrade the schema; on a new node, add the reference objects and (with
        `seed`) the partnership's partners and sharing groups. Safe to run again."""
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.database.migrate()
        known = {partner.code for partner in self.partners.partners()}
        wanted = DEFAULT_PARTNERS if seed else ()
        home = self.settings.home_partner
        if home not in known and home not in {code for code, _ in wanted}:
            wanted = ((home, home), *wanted)
        identities = []
        for code, name in wanted:
            if code not in known:
                self.partners.add_partner(code, name, actor=actor)
                identities.append(partner_identity(code, name))
        if seed:
            existing = {group.name for group in self.partners.groups()}
            for name, description, members in DEFAULT_GROUPS:
                if name not in existing:
                    self.partners.create_group(name, description, members, actor=actor)
        reference = [*builtin_objects(), signature_extension_definition(), *identities]
        report = self.import_objects(reference, owner=home, actor=actor)
        report.raise_for_rejections()
        if seed and not self.collections.collections():
            groups = [group.name for group in self.partners.groups()]
            self.declare_collections(default_collections(groups), actor=actor)
        self.apply_collections_file(actor=actor)

    def declare_collections(self, specs: Sequence[CollectionSpec], *, actor: str) -> None:
        """Add or update collections (views on the store)."""
        self.collections.declare(specs, grantees=self.partners.grantees(), actor=actor)

    def apply_collections_file(self, *, actor: str) -> None:
        """Declare the collections of ``ACCORD_COLLECTIONS_FILE``, if one is set."""
        if self.settings.collections_file is not None:
            specs = read_collections_file(self.settings.collections_file)
            self.declare_collections(specs, actor=actor)

    def add_partner(self, code: str, name: str, *, actor: str) -> Partner:
        """Register a partner and store its identity (TLP:CLEAR, owned by the home partner)."""
        partner = self.partners.add_partner(code, name, actor=actor)
        self.import_objects(
            [partner_identity(code, name)], owner=self.settings.home_partner, actor=actor
        ).raise_for_rejections()
        return partner

    def import_objects(
        self,
        objects: Sequence[Mapping[str, Any]],
        *,
        owner: str | None = None,
        actor: str,
        tlp: Tlp | None = None,
        release: Sequence[str] | None = None,
        default_release: Sequence[str] | None = None,
        progress: Progress | None = None,
        action: str = "object.import",
    ) -> ImportReport:
        """Store objects owned by `owner` (default: the home partner), optionally marking
        them with `tlp` and a release list of partner codes and group names, or releasing
        to `default_release` the objects that carry no release list of their own."""
        owner = owner or self.settings.home_partner
        self.partners.partner(owner)
        if release and default_release:
            raise InvalidInput("give a release list or a default release list, not both")
        override = (
            MarkingOverride(
                tlp=tlp,
                release=tuple(release or default_release or ()) or None,
                fill_only=bool(default_release),
            )
            if tlp is not None or release or default_release
            else None
        )
        return self.store.import_objects(
            objects,
            owner=owner,
            actor=actor,
            grantees=self.partners.grantees(),
            override=override,
            progress=progress,
            action=action,
        )

    def receive_objects(self, objects: Sequence[Any], *, actor: str) -> InboundReport:
        """Store what a peer node delivered: each object verified against its signer's
        registered key and stored as the signer's (``core.inbound``)."""
        keys = {**self.peers.public_keys(), self.settings.home_partner: self.public_key()}
        report = receive(
            self.store,
            objects,
            home=self.reader(),
            keys=keys,
            grantees=self.partners.grantees(),
            actor=actor,
            workers=self.settings.import_workers,
        )
        if report.rejected:
            with self.database.writing() as connection:
                self.audit.record(
                    connection,
                    actor=actor,
                    action="federation.refuse",
                    target=f"{len(report.rejected)} objects",
                    detail={"reasons": [str(item) for item in report.rejected[:20]]},
                )
        return report

    def public_key(self) -> Ed25519PublicKey:
        """The node's public signing key, which its peers register."""
        return node_signing_key(self.database).public_key()

    def run_import_job(self, job_id: str) -> ImportJob:
        """Process a submitted job: store its objects as its partner's, in its collection
        (labelled and released as the collection's view needs), or, from a peer node, as
        their verified signers' (unchanged), and record each outcome.
        A request refused as a whole (its collection removed meanwhile, say) fails every
        object with the reason rather than stay pending."""
        job = self.jobs.job(job_id)
        if job.finished:
            return job
        objects = self.jobs.objects(job_id)
        try:
            collection = (
                self.collections.collection(job.collection_id) if job.collection_id else None
            )
            if job.federated:
                # Signed objects stay exactly as signed: no label, no default release.
                report: ImportReport | InboundReport = self.receive_objects(
                    objects, actor=job.actor
                )
            else:
                report = self._import_submission(objects, job, collection)
        except AccordError as exc:
            refused = dict.fromkeys(range(len(objects)), str(exc))
            successes, failures = outcomes(objects, refused, requested=job.requested)
        else:
            rejected = {item.index: f"{item.field}: {item.reason}" for item in report.rejected}
            dates_added = self._dates_added(job.partner, objects)
            successes, failures = outcomes(
                objects, rejected, requested=job.requested, dates_added=dates_added
            )
        self.jobs.finish(job_id, successes, failures)
        return self.jobs.job(job_id)

    def _import_submission(
        self, objects: list[Any], job: ImportJob, collection: Collection | None
    ) -> ImportReport:
        if collection is not None and collection.label:
            objects = [_with_label(obj, collection.label) for obj in objects]
        return self.import_objects(
            objects,
            owner=job.partner,
            actor=job.actor,
            default_release=[collection.audience] if collection and collection.audience else None,
        )

    def _dates_added(self, partner: str, objects: Sequence[Any]) -> dict[str, datetime]:
        # TAXII names an object without `created` (an SCO) by its date_added.
        unversioned = tuple(
            str(obj["id"])
            for obj in objects
            if isinstance(obj, dict) and "id" in obj and "created" not in obj
        )
        if not unversioned:
            return {}
        query = ObjectQuery(ids=unversioned, versions="all")
        return {e.stix_id: e.date_added for e in self.store.manifest(self.reader(partner), query)}

    def change_release(
        self, stix_id: str, *, tlp: Tlp | None, release: Sequence[str] | None, actor: str
    ) -> StoredObject:
        """Share an object of the home partner anew: a new version (``modified`` = now)
        with the given TLP and release list in place of the old ones."""
        home = self.settings.home_partner
        current = self.store.get(self.reader(home), stix_id)
        if current.owner != home:
            raise PermissionDenied(
                f"{stix_id} belongs to partner {current.owner}; only its owner changes its release"
            )
        if "modified" not in current.body:
            raise InvalidInput(f"{stix_id} has no versions (no 'modified'), so no new release")
        # A new version must be newer than the last one even within one millisecond.
        stamp = max(datetime.now(UTC), current.version + timedelta(milliseconds=1))
        body = {**current.body, "modified": format_timestamp(stamp)}
        self.import_objects(
            [body], actor=actor, tlp=tlp, release=release, action="object.share"
        ).raise_for_rejections()
        return self.store.get(self.reader(home), stix_id)

    def export(self, recipient: str, path: Path, *, actor: str) -> int:
        """Write to `path` a bundle of every latest object the home partner may pass on to
        `recipient` (markings kept, references it may not read removed)."""
        reader = self.reader(recipient)
        found = self.store.iter_objects(reader, holder=self.settings.home_partner)
        count = write_bundle((item.body for item in found), path)
        with self.database.writing() as connection:
            self.audit.record(
                connection,
                actor=actor,
                action="export",
                target=recipient,
                detail={"objects": count, "file": str(path)},
            )
        return count

    def outbound(self) -> OutboundSigner:
        """What turns stored objects into the signed bodies peers receive."""
        if self._outbound is None:
            key = node_signing_key(self.database)
            self._outbound = OutboundSigner(self.settings.home_partner, key)
        return self._outbound

    def home_identity_id(self) -> str:
        """The STIX identity of the home partner: what its findings name as their author."""
        return self.partners.partner(self.settings.home_partner).identity_id

    def reader(self, partner: str | None = None) -> Reader:
        """The reader for a partner (default: the home partner)."""
        return self.partners.reader(partner or self.settings.home_partner)

    def close(self) -> None:
        """Release database connections."""
        self.database.dispose()


def _with_label(obj: Any, label: str) -> Any:
    # A collection that selects by label shows what is posted to it only with the label.
    if not isinstance(obj, dict) or label in (obj.get("labels") or ()):
        return obj
    if "created" not in obj or obj.get("type") == "marking-definition":
        return obj  # SCOs and marking-definitions carry no labels (STIX 2.1 §7.2.1)
    return {**obj, "labels": [*(obj.get("labels") or ()), label]}
