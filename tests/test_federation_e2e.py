"""Federation end to end: partner nodes as separate ``accord serve`` processes that sync
over real HTTP, and the faults a sync must survive.

Every node runs on 127.0.0.1. Network namespaces (``ip netns``) would work on a root CI
machine but do not fit: a peer is reached over plain HTTP only on the loopback address
(``core.peers``), so nodes in namespaces would need certificates for each address, and a
namespace left behind by a killed worker outlives the test run.

What each partner holds is checked against the rule table applied here, independently,
to the findings as they were published (their TLP and release list): a node holds exactly
those versions, once each, bit for bit as the originating node serves them to its peers,
under the originator's verified signature, and nothing else.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from itertools import product
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from accord.core import tables
from accord.core.collections import collection_id
from accord.core.markings import TLP2_IDS, Tlp, release_marking_id
from accord.core.node import Node
from accord.core.peers import new_federation_key
from accord.core.policy import Reader, may_pass_on
from accord.core.principals import Role
from accord.core.settings import Settings
from accord.core.signing import (
    SIGNATURE_EXTENSION_ID,
    is_node_reference,
    public_key_from_text,
    public_key_text,
    sign_object,
    unsigned_form,
    verify_object,
)
from accord.federation.client import PeerClient, RetryPolicy
from accord.federation.pull import Transfer
from accord.federation.rounds import run_round
from tests.data import indicator
from tests.live_server import (
    LiveServer,
    accord_command,
    restart_server,
    server_environment,
    start_server,
    stop_server,
)

pytestmark = pytest.mark.slow  # `accord serve` processes, started and stopped

FEDERATION_KEY = new_federation_key()
ALL = collection_id("all")
# The sharing groups every node is seeded with, as the partners agreed them.
GROUPS = {
    "maritime-indo-pacific": {"EU", "JP", "KR"},
    "sdp-jp": {"EU", "JP"},
    "sdp-kr": {"EU", "KR"},
    "sdp-no": {"EU", "NO"},
}
STAMP = "2026-03-01T10:00:00.000Z"
FAST_RETRY = RetryPolicy(retries=1, backoff_seconds=0.01)


# -- what was published, and the rule table applied to it ---------------------------------


@dataclass(frozen=True)
class Finding:
    """One version of an object as its owner published it."""

    owner: str
    body: dict[str, Any]
    tlp: Tlp
    release: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        return (self.body["id"], self.body["modified"])


def grantees(partner: str) -> set[str]:
    return {partner} | {name for name, members in GROUPS.items() if partner in members}


def may_read(finding: Finding, partner: str) -> bool:
    """The rule table (the owner aside): RED to nobody, CLEAR to all, else the release list."""
    if finding.owner == partner:
        return True
    if finding.tlp is Tlp.RED:
        return False
    return finding.tlp is Tlp.CLEAR or bool(grantees(partner) & set(finding.release))


def copy_for(
    finding: Finding, partner: str, holder: str, published: Sequence[Finding]
) -> dict[str, Any] | None:
    """The body `holder` may pass on to `partner` (references it may not read removed), or
    None. RED never leaves, AMBER+STRICT only from its owner, and a report needs at least one
    reference the partner may read."""
    if finding.tlp is Tlp.RED or finding.owner == partner or not may_read(finding, partner):
        return None
    if finding.tlp is Tlp.AMBER_STRICT and holder != finding.owner:
        return None
    latest = {item.body["id"]: item for item in published}  # published oldest first
    body = dict(finding.body)
    if "object_refs" in body:
        body["object_refs"] = [ref for ref in body["object_refs"] if may_read(latest[ref], partner)]
        if not body["object_refs"]:
            return None
    return body


def released(
    published: Sequence[Finding], partner: str, holder: str
) -> dict[tuple[str, str], dict[str, Any]]:
    """What `holder` may pass on to `partner`: (id, modified) -> the expected body."""
    copies = {f.key: copy_for(f, partner, holder, published) for f in published}
    return {key: body for key, body in copies.items() if body is not None}


def test_this_rule_table_is_accords() -> None:
    """The expectations below come from this file's own reading of the rules; here it is
    held against Accord's policy functions for every TLP, release list and holder."""
    lists = [(), ("JP",), ("KR",), ("JP", "KR"), ("maritime-indo-pacific",), ("sdp-kr",), ("NO",)]
    for tlp, release, partner, holder in product(Tlp, lists, ("JP", "KR"), ("EU", "JP", "KR")):
        finding = Finding("EU", indicator(), tlp, release)
        reader = Reader(partner, frozenset(grantees(partner) - {partner}))
        expected = may_pass_on(holder, "EU", tlp, reader, release)
        assert (copy_for(finding, partner, holder, [finding]) is not None) == expected


def publish(node: Node, findings: Sequence[Finding]) -> None:
    """Each finding in an import of its own (so that each has its own date_added)."""
    for finding in findings:
        node.import_objects(
            [finding.body],
            actor="test",
            tlp=finding.tlp,
            release=list(finding.release) or None,
        ).raise_for_rejections()


def report(name: str, refs: Sequence[Finding]) -> dict[str, Any]:
    return {
        "type": "report",
        "spec_version": "2.1",
        "id": f"report--{uuid.uuid4()}",
        "created": STAMP,
        "modified": STAMP,
        "name": name,
        "published": STAMP,
        "object_refs": [ref.body["id"] for ref in refs],
    }


def eu_findings() -> list[Finding]:
    """EU's findings: every TLP, releases to partners and groups, a second version that
    widens the release, and reports whose references differ in release."""
    to_jp = Finding("EU", indicator(1, name="AMBER to JP"), Tlp.AMBER, ("JP",))
    to_kr = Finding("EU", indicator(2, name="AMBER to KR"), Tlp.AMBER, ("KR",))
    group = Finding(
        "EU", indicator(3, name="GREEN to the group"), Tlp.GREEN, ("maritime-indo-pacific",)
    )
    red = Finding("EU", indicator(5, name="RED"), Tlp.RED, ("JP", "KR"))
    first = indicator(10, name="AMBER to KR, then to JP and KR")
    widened = {**first, "modified": "2026-03-02T10:00:00.000Z"}
    findings = [
        to_jp,
        to_kr,
        group,
        Finding("EU", indicator(4, name="AMBER+STRICT to JP"), Tlp.AMBER_STRICT, ("JP",)),
        red,
        Finding("EU", indicator(6, name="CLEAR"), Tlp.CLEAR),
        Finding("EU", indicator(7, name="AMBER to sdp-kr"), Tlp.AMBER, ("sdp-kr",)),
        Finding("EU", indicator(8, name="AMBER to Norway"), Tlp.AMBER, ("NO",)),
        Finding("EU", indicator(9, name="AMBER, no release list"), Tlp.AMBER),
        Finding("EU", first, Tlp.AMBER, ("KR",)),
        Finding("EU", widened, Tlp.AMBER, ("JP", "KR")),
    ]
    return [
        *findings,
        # JP and KR each receive a copy without the reference the other was released.
        Finding(
            "EU",
            report("Mixed release", [to_jp, to_kr, group, red]),
            Tlp.AMBER,
            ("maritime-indo-pacific",),
        ),
        # Released to JP, but JP may read none of its references: KR only receives it.
        Finding("EU", report("KR's references", [to_kr, red]), Tlp.AMBER, ("JP", "KR")),
    ]


def kr_findings() -> list[Finding]:
    """KR's findings, released to EU and JP in different ways."""
    return [
        Finding("KR", indicator(21, name="KR: AMBER to JP, EU"), Tlp.AMBER, ("JP", "EU")),
        Finding(
            "KR", indicator(22, name="KR: AMBER+STRICT to EU, JP"), Tlp.AMBER_STRICT, ("EU", "JP")
        ),
        Finding("KR", indicator(23, name="KR: AMBER to EU"), Tlp.AMBER, ("EU",)),
        Finding("KR", indicator(24, name="KR: RED"), Tlp.RED, ("EU", "JP")),
        Finding(
            "KR",
            indicator(25, name="KR: GREEN to the group"),
            Tlp.GREEN,
            ("maritime-indo-pacific",),
        ),
    ]


# -- nodes, servers and what they hold ------------------------------------------------


def node_settings(data_dir: Path, partner: str, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "home_partner": partner,
        "federation_key": FEDERATION_KEY,
        "database_url": None,
        "collections_file": None,
        "import_workers": 1,
        "federation_retries": 1,
        "federation_backoff_seconds": 0.01,
        "federation_timeout_seconds": 15.0,
        **extra,
    }
    return Settings(**values)


def server_settings(partner: str, **extra: str) -> dict[str, str]:
    return {
        "ACCORD_HOME_PARTNER": partner,
        "ACCORD_FEDERATION_KEY": FEDERATION_KEY,
        "ACCORD_IMPORT_WORKERS": "1",
        **extra,
    }


@contextmanager
def opened(settings: Settings) -> Iterator[Node]:
    node = Node.open(settings)
    try:
        yield node
    finally:
        node.close()


def pull_from(node: Node, name: str, url: str, partner: str, key: str, token: str) -> None:
    """Register a peer that `node` pulls from."""
    node.peers.add(
        name, url, partner=partner, public_key=key, token=token, mode="pull", actor="test"
    )


def new_node(data_dir: Path, partner: str, **extra: Any) -> Node:
    """A node that is not served (a puller), initialised as `accord init` does."""
    node = Node(node_settings(data_dir, partner, **extra))
    node.initialise(actor="test")
    return node


def public_key(data_dir: Path, partner: str) -> str:
    with opened(node_settings(data_dir, partner)) as node:
        return public_key_text(node.public_key())


@dataclass(frozen=True)
class Row:
    stix_id: str
    modified: str  # the body's, as the owner wrote it
    owner: str
    body: dict[str, Any]


def rows(node: Node) -> list[Row]:
    """Every stored version, read from the table itself (a duplicate would be a row)."""
    objects = tables.objects
    query = select(objects.c.stix_id, objects.c.owner, objects.c.body)
    with node.database.reading() as connection:
        found = connection.execute(query).all()
    bodies = [(row.stix_id, row.owner, orjson.loads(row.body)) for row in found]
    return [Row(i, str(body.get("modified")), owner, body) for i, owner, body in bodies]


def assert_holds_exactly(
    node: Node, expected: Mapping[str, set[tuple[str, str]]]
) -> dict[tuple[str, str], Row]:
    """The node holds, per owner partner, exactly the `expected` versions, each once (its
    home partner's besides the reference objects every node makes for itself)."""
    held = rows(node)
    counts = Counter((row.stix_id, row.modified) for row in held)
    assert {key: n for key, n in counts.items() if n > 1} == {}, "duplicate rows"
    home = node.settings.home_partner
    by_owner: dict[str, set[tuple[str, str]]] = {}
    for row in held:
        if row.owner != home or not is_node_reference(row.body):
            by_owner.setdefault(row.owner, set()).add((row.stix_id, row.modified))
    assert by_owner == {owner: keys for owner, keys in expected.items() if keys}
    return {(row.stix_id, row.modified): row for row in held}


def served(
    server: LiveServer, token: str, *, signer: str | None = None
) -> dict[tuple[str, str], dict[str, Any]]:
    """Every version the server serves the token's holder (reference objects aside), or
    those `signer` signed."""
    found: list[dict[str, Any]] = []
    with PeerClient(server.api_root_url, token, policy=FAST_RETRY) as client:
        next_token = None
        while True:
            page = client.objects_page(ALL, added_after=None, next_token=next_token, limit=1000)
            found += page.objects
            if not page.more:
                break
            next_token = page.next
    keys = [(obj["id"], obj.get("modified")) for obj in found]
    assert len(keys) == len(set(keys))
    return {
        (obj["id"], obj["modified"]): obj
        for obj in found
        if not is_node_reference(obj) and signer in (None, signed_by(obj))
    }


def signed_by(obj: Mapping[str, Any]) -> str | None:
    extension = obj.get("extensions", {}).get(SIGNATURE_EXTENSION_ID)
    return extension["signer"] if extension else None


def exact_bytes(obj: Mapping[str, Any]) -> bytes:
    """An object's JSON with sorted keys: equal only if equal in every value and type."""
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)


def assert_as_published(
    body: Mapping[str, Any], expected: Mapping[str, Any], finding: Finding
) -> None:
    """The signed body is the published one (references redacted for the reader) with its
    TLP and release markings."""
    content = {k: v for k, v in unsigned_form(body).items() if k != "object_marking_refs"}
    assert content == expected
    markings = {TLP2_IDS[finding.tlp]}
    if finding.release:
        markings.add(release_marking_id(finding.release))
    assert set(body["object_marking_refs"]) == markings


def refusals(node: Node) -> list[str]:
    """The reasons of every ``federation.refuse`` audit entry."""
    entries = node.audit.entries(action="federation.refuse")
    return [reason for entry in entries for reason in entry.detail["reasons"]]


def pull_state_errors(node: Node) -> list[str | None]:
    return [state.last_error for state in node.peers.states() if state.direction == "pull"]


# -- the three nodes --------------------------------------------------------------------


@dataclass(frozen=True)
class NodeSpec:
    data_dir: Path
    settings: dict[str, str]  # ACCORD_* variables of its server
    serve_options: tuple[str, ...] = ()


def initialise(data_dir: Path, settings: Mapping[str, str]) -> None:
    """What `accord init` does, in this process (each `accord` process costs seconds)."""
    new_node(data_dir, settings["ACCORD_HOME_PARTNER"]).close()


@contextmanager
def served_nodes(nodes: Mapping[str, NodeSpec]) -> Iterator[dict[str, LiveServer]]:
    """Each node initialised, then served by an `accord serve` process of its own."""
    with ExitStack() as stack:
        servers = {}
        for name, spec in nodes.items():
            initialise(spec.data_dir, spec.settings)
            environment = server_environment(spec.settings)
            servers[name] = start_server(spec.data_dir, environment, spec.serve_options)
            stack.callback(stop_server, servers[name].process)
        yield servers


def accord_cli(
    *args: str, partner: str, data_dir: Path, **extra: str
) -> subprocess.CompletedProcess[str]:
    # Wide enough that the table of transfers keeps each cell on one line.
    environment = {**server_environment(server_settings(partner, **extra)), "COLUMNS": "200"}
    command = [accord_command(), *args, "--data-dir", str(data_dir)]
    return subprocess.run(command, env=environment, capture_output=True, text=True, timeout=120)


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.2)


def test_three_nodes_hold_exactly_what_they_were_released(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    root = tmp_path_factory.mktemp("federation")
    page_max = {"ACCORD_TAXII_PAGE_MAX": "4"}  # several pages for every pull
    nodes = {
        "EU": NodeSpec(root / "eu", server_settings("EU", **page_max)),
        "JP": NodeSpec(root / "jp", server_settings("JP", **page_max)),
        # KR syncs in the background of its server, as `accord serve --federate-every` does.
        "KR": NodeSpec(
            root / "kr",
            server_settings("KR", ACCORD_FEDERATION_PAGE_SIZE="3", **page_max),
            ("--federate-every", "1s"),
        ),
    }
    with served_nodes(nodes) as servers:
        eu, jp, kr = servers["EU"], servers["JP"], servers["KR"]
        keys = {code: public_key(server.data_dir, code) for code, server in servers.items()}
        eu_settings = node_settings(eu.data_dir, "EU")
        jp_settings = node_settings(jp.data_dir, "JP")
        kr_settings = node_settings(kr.data_dir, "KR")
        published = eu_findings()
        with opened(eu_settings) as node:
            publish(node, published)
        tokens = {partner: eu.token(partner, Role.PEER) for partner in ("JP", "KR")}

        # JP and KR register EU's node; JP syncs with the CLI, KR's server on its own.
        for settings, partner in ((jp_settings, "JP"), (kr_settings, "KR")):
            with opened(settings) as node:
                pull_from(node, "eu", eu.api_root_url, "EU", keys["EU"], tokens[partner])
        run = accord_cli("federate", "run", partner="JP", data_dir=jp.data_dir)
        assert run.returncode == 0, run.stdout + run.stderr
        [row] = [line for line in run.stdout.splitlines() if ALL in line]
        cells = [cell.strip() for cell in row.split("│")[1:-1]]
        assert cells[:3] == ["eu", ALL, "pull"] and cells[-2:] == ["0", ""]  # refused, error

        expected = {partner: released(published, partner, "EU") for partner in ("JP", "KR")}
        # The rule table, spelled out for this data: what each partner receives.
        names = {
            partner: sorted(body["name"] for body in expected[partner].values())
            for partner in expected
        }
        assert names == {
            "JP": [
                "AMBER to JP",
                "AMBER to KR, then to JP and KR",
                "AMBER+STRICT to JP",
                "CLEAR",
                "GREEN to the group",
                "Mixed release",
            ],
            "KR": [
                "AMBER to KR",
                "AMBER to KR, then to JP and KR",
                "AMBER to KR, then to JP and KR",
                "AMBER to sdp-kr",
                "CLEAR",
                "GREEN to the group",
                "KR's references",
                "Mixed release",
            ],
        }
        by_key = {finding.key: finding for finding in published}
        holdings: dict[str, dict[tuple[str, str], Row]] = {}
        with opened(kr_settings) as node:
            wait_until(
                lambda: (
                    {(r.stix_id, r.modified) for r in rows(node) if r.owner == "EU"}
                    >= set(expected["KR"])
                ),
                30,
                "KR's server pulled from EU",
            )
        for partner, settings in (("JP", jp_settings), ("KR", kr_settings)):
            with opened(settings) as node:
                held = holdings[partner] = assert_holds_exactly(
                    node, {"EU": set(expected[partner])}
                )
                assert pull_state_errors(node) == [None]
                assert refusals(node) == []
            # Bit for bit what EU serves this partner's node, under EU's signature.
            from_eu = served(eu, tokens[partner])
            assert set(from_eu) == set(expected[partner])
            for key, body in expected[partner].items():
                stored = held[key].body
                assert exact_bytes(stored) == exact_bytes(from_eu[key])
                assert verify_object(stored, {"EU": public_key_from_text(keys["EU"])}) == "EU"
                assert_as_published(stored, body, by_key[key])

        # JP's node passes on to KR's node only what EU released to KR too, and with EU's
        # signature only what it need not redact for KR: its copy of the mixed report loses
        # another reference and goes unsigned (which a receiving node refuses).
        jp_to_kr = served(jp, jp.token("KR", Role.PEER))
        assert set(jp_to_kr) == set(expected["JP"]) & set(released(published, "KR", "JP"))
        mixed = next(f for f in published if f.body["name"] == "Mixed release")
        group_id = next(f.body["id"] for f in published if f.tlp is Tlp.GREEN)
        for key, body in jp_to_kr.items():
            if key == mixed.key:
                assert signed_by(body) is None
                assert body["object_refs"] == [group_id]
            else:
                assert exact_bytes(body) == exact_bytes(holdings["JP"][key].body)

        # Onward: KR publishes; EU pulls from KR; JP gets KR's objects through EU.
        kr_published = kr_findings()
        with opened(kr_settings) as node:
            publish(node, kr_published)
        with opened(eu_settings) as node:
            pull_from(
                node,
                "kr",
                kr.api_root_url,
                "KR",
                keys["KR"],
                kr.token("EU", Role.PEER, label="EU node"),
            )
            transfers = run_round(node)
            assert [t.error for t in transfers] == [None]
            eu_expected = released(kr_published, "EU", "KR")
            own = {finding.key for finding in published}
            eu_held = assert_holds_exactly(node, {"EU": own, "KR": set(eu_expected)})
        # KR's node serves EU's node EU's own objects too (EU skips them): KR's are compared.
        kr_served_eu = served(kr, kr.token("EU", Role.PEER), signer="KR")
        assert set(kr_served_eu) == set(eu_expected)

        onward = released(kr_published, "JP", "EU")
        assert sorted(body["name"] for body in onward.values()) == [
            "KR: AMBER to JP, EU",
            "KR: GREEN to the group",
        ]
        kr_key = public_key_from_text(keys["KR"])
        with opened(jp_settings) as node:
            # JP registers KR's node too (its key is what verifies KR's objects), but
            # syncs with EU only here.
            pull_from(
                node,
                "kr",
                kr.api_root_url,
                "KR",
                keys["KR"],
                kr.token("JP", Role.PEER, label="JP node"),
            )
            transfers = run_round(node, ["eu"])
            assert [t.error for t in transfers] == [None]
            held = assert_holds_exactly(node, {"EU": set(expected["JP"]), "KR": set(onward)})
        from_eu = served(eu, tokens["JP"])
        kr_by_key = {finding.key: finding for finding in kr_published}
        for key, body in onward.items():
            stored = held[key].body
            assert held[key].owner == "KR"
            assert exact_bytes(stored) == exact_bytes(from_eu[key])
            assert exact_bytes(stored) == exact_bytes(kr_served_eu[key])
            assert exact_bytes(stored) == exact_bytes(eu_held[key].body)
            assert verify_object(stored, {"KR": kr_key}) == "KR"
            assert_as_published(stored, body, kr_by_key[key])
        strict = next(f for f in kr_published if f.tlp is Tlp.AMBER_STRICT)
        assert strict.key in eu_held and strict.key not in from_eu

        # Without KR's key a JP node refuses KR's objects that EU passes on, and only those.
        with ExitStack() as stack:
            lone = new_node(root / "jp-without-kr", "JP")
            stack.callback(lone.close)
            pull_from(
                lone,
                "eu",
                eu.api_root_url,
                "EU",
                keys["EU"],
                eu.token("JP", Role.PEER, label="another JP node"),
            )
            transfers = run_round(lone)
            assert sum(t.refused for t in transfers) == len(onward)
            assert_holds_exactly(lone, {"EU": set(expected["JP"])})
            reasons = refusals(lone)
            assert len(reasons) == len(onward)
            assert all("'KR', whose key is not registered" in reason for reason in reasons)
            assert all(any(stix_id in r for r in reasons) for stix_id, _ in onward)

        # Straight from its owner, JP receives the AMBER+STRICT object as well; what came
        # through EU is recognised as held.
        with opened(jp_settings) as node:
            transfers = run_round(node, ["kr"])
            assert [t.error for t in transfers] == [None]
            direct = released(kr_published, "JP", "KR")
            assert set(direct) == set(onward) | {strict.key}
            assert_holds_exactly(node, {"EU": set(expected["JP"]), "KR": set(direct)})
        # KR's server kept syncing all along; its own objects coming back stay its own.
        with opened(kr_settings) as node:
            own = {finding.key for finding in kr_published}
            assert_holds_exactly(node, {"EU": set(expected["KR"]), "KR": own})
            assert refusals(node) == []
        for server in (eu, jp, kr):
            assert server.process.poll() is None, server.log()


# -- faults: one EU node, fresh JP nodes pulling from it ----------------------------------

SOURCE_PAGE_MAX = 5  # the EU server's largest page
PULL_PAGE = 4  # what the JP nodes ask for


@dataclass
class Source:
    """EU's served node, and what each test's JP node should end up holding from it."""

    data_dir: Path
    environment: dict[str, str]
    server: LiveServer
    public_key: str
    jp_token: str
    expected: dict[tuple[str, str], dict[str, Any]]
    published: list[Finding]

    def stop(self) -> None:
        """The server goes down as an operator stops it (SIGTERM)."""
        stop_server(self.server.process)

    def kill(self) -> None:
        """The server dies at once, with the import worker of its session (SIGKILL)."""
        os.killpg(self.server.process.pid, signal.SIGKILL)
        self.server.process.wait(timeout=10)

    def restart(self) -> None:
        """Serve the same data directory again, on the same port (peers keep its URL)."""
        self.server = restart_server(self.server, self.environment)

    def puller(self, data_dir: Path) -> Node:
        """A new JP node with EU's node as its peer."""
        node = new_node(data_dir, "JP", federation_page_size=PULL_PAGE)
        pull_from(node, "eu", self.server.api_root_url, "EU", self.public_key, self.jp_token)
        return node


def source_findings() -> list[Finding]:
    """Several imports to JP (pages of several dates added), and what JP must not get."""
    batches = [
        [
            Finding("EU", indicator(10 * batch + n, name=f"to JP {batch}.{n}"), Tlp.AMBER, ("JP",))
            for n in range(6)
        ]
        for batch in range(4)
    ]
    return [
        *batches[0],
        Finding("EU", indicator(50, name="RED"), Tlp.RED, ("JP",)),
        *batches[1],
        Finding("EU", indicator(51, name="to KR"), Tlp.AMBER, ("KR",)),
        Finding("EU", indicator(52, name="to the group"), Tlp.GREEN, ("maritime-indo-pacific",)),
        *batches[2],
        Finding("EU", indicator(53, name="AMBER+STRICT to JP"), Tlp.AMBER_STRICT, ("JP",)),
        Finding("EU", indicator(54, name="to sdp-kr"), Tlp.AMBER, ("sdp-kr",)),
        *batches[3],
        Finding("EU", indicator(55, name="CLEAR"), Tlp.CLEAR),
    ]


@pytest.fixture(scope="module", name="source_server")
def fixture_source_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Source]:
    data_dir = tmp_path_factory.mktemp("source") / "eu"
    settings = server_settings("EU", ACCORD_TAXII_PAGE_MAX=str(SOURCE_PAGE_MAX))
    with served_nodes({"EU": NodeSpec(data_dir, settings)}) as servers:
        server = servers["EU"]
        published = source_findings()
        with opened(node_settings(data_dir, "EU")) as node:
            publish(node, published)
            key = public_key_text(node.public_key())
        source = Source(
            data_dir=data_dir,
            environment=server_environment(settings),
            server=server,
            public_key=key,
            jp_token=server.token("JP", Role.PEER, label="JP node"),
            expected=released(published, "JP", "EU"),
            published=published,
        )
        try:
            yield source
        finally:
            stop_server(source.server.process)


@pytest.fixture(name="source")
def fixture_source(source_server: Source) -> Source:
    """The module's EU node, running (a test that stopped it has it started again)."""
    if source_server.server.process.poll() is not None:
        source_server.restart()
    return source_server


@pytest.fixture(name="jp")
def fixture_jp(source: Source, tmp_path: Path) -> Iterator[Node]:
    node = source.puller(tmp_path / "jp")
    try:
        yield node
    finally:
        node.close()


def assert_holds_what_eu_released(node: Node, source: Source) -> None:
    held = assert_holds_exactly(node, {"EU": set(source.expected)})
    eu_key = {"EU": public_key_from_text(source.public_key)}
    for row in held.values():
        if row.owner == "EU":
            assert verify_object(row.body, eu_key) == "EU"


# -- the wire between them ----------------------------------------------------------------

PAGE_PATH = re.compile(r"/collections/[^/]+/objects/")
Forward = Callable[[], httpx.Response]


class Wire(httpx.BaseTransport):
    """Real HTTP to the peer, with a hook on each request for a page of objects (numbered
    from 1, a retry counting as a request); other requests pass unchanged."""

    def __init__(self, on_page: Callable[[int, Forward], httpx.Response]):
        self._http = httpx.HTTPTransport()
        self._on_page = on_page
        self.pages = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        def forward() -> httpx.Response:
            return self._http.handle_request(request)

        path = request.url.path.split("/taxii2/api", 1)[-1]
        if request.method != "GET" or not PAGE_PATH.fullmatch(path):
            return forward()
        self.pages += 1
        return self._on_page(self.pages, forward)

    def close(self) -> None:
        self._http.close()


def through(wire: Wire) -> Callable[[Node, Any], PeerClient]:
    """A client factory for `run_round` whose clients use `wire`."""
    return lambda node, peer: PeerClient(
        peer.url, node.peers.token(peer.name), policy=FAST_RETRY, transport=wire
    )


def with_objects(response: httpx.Response, objects: list[dict[str, Any]]) -> httpx.Response:
    """The same answer with other objects in its envelope."""
    response.read()
    envelope = {**orjson.loads(response.content), "objects": objects}
    return answer_like(response, orjson.dumps(envelope))


def answer_like(response: httpx.Response, content: bytes) -> httpx.Response:
    dropped = ("content-length", "content-encoding", "transfer-encoding")
    headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in dropped]
    return httpx.Response(response.status_code, headers=headers, content=content)


def page_objects(response: httpx.Response) -> list[dict[str, Any]]:
    response.read()
    return list(orjson.loads(response.content).get("objects", []))


def pulled(transfers: Sequence[Transfer]) -> Transfer:
    [transfer] = [t for t in transfers if t.direction == "pull"]
    return transfer


# -- the faults --------------------------------------------------------------------------

FAULT_PAGE = 11  # pages 1-5 hold the reference objects every node makes; pages are
# stored four at a time, so 1-8 are stored when 11 fails


def eu_rows(node: Node) -> int:
    return sum(row.owner == "EU" for row in rows(node))


def test_a_peer_down_between_pages_is_caught_up_once_it_is_back(source: Source, jp: Node) -> None:
    def stop_before(page: int, forward: Forward) -> httpx.Response:
        if page == FAULT_PAGE:
            source.stop()
        return forward()

    transfer = pulled(run_round(jp, client_factory=through(Wire(stop_before))))
    assert transfer.error is not None and "ConnectError" in transfer.error
    [error] = pull_state_errors(jp)
    assert error == transfer.error
    assert 0 < eu_rows(jp) < len(source.expected)
    # While it is down, a round fails from the start and says so.
    [down] = run_round(jp)
    assert down.error is not None and "ConnectError" in down.error

    source.restart()
    transfer = pulled(run_round(jp))
    assert transfer.error is None
    assert [state.last_error for state in jp.peers.states()] == [None, None]
    assert_holds_what_eu_released(jp, source)


class Truncated(httpx.SyncByteStream):
    """The start of a body, then the connection is gone."""

    def __init__(self, head: bytes):
        self._head = head

    def __iter__(self) -> Iterator[bytes]:
        yield self._head
        raise httpx.RemoteProtocolError("peer closed connection without sending complete body")


def test_a_peer_killed_mid_page_is_caught_up_once_it_is_back(source: Source, jp: Node) -> None:
    def kill_during(page: int, forward: Forward) -> httpx.Response:
        response = forward()
        if page != FAULT_PAGE:
            return response
        # The status line and headers have arrived, the body has begun: SIGKILL now. The
        # loopback socket may hold the rest of so small a page already, so the body is cut
        # here, where the kill struck, as a reset connection cuts it.
        assert isinstance(response.stream, httpx.SyncByteStream)
        head = next(iter(response.stream), b"")
        source.kill()
        response.close()
        return httpx.Response(
            response.status_code, headers=response.headers, stream=Truncated(head[:20])
        )

    transfer = pulled(run_round(jp, client_factory=through(Wire(kill_during))))
    # The page is tried again, and the server is gone.
    assert transfer.error is not None and "ConnectError" in transfer.error
    assert pull_state_errors(jp) == [transfer.error]
    assert 0 < eu_rows(jp) < len(source.expected)

    source.restart()
    transfer = pulled(run_round(jp))
    assert transfer.error is None
    assert pull_state_errors(jp) == [None]
    assert_holds_what_eu_released(jp, source)


class Crash(BaseException):
    """The receiving node's process dies (nothing in it catches this)."""


def test_a_receiving_node_restarted_mid_sync_resumes_where_it_stopped(
    source: Source, tmp_path: Path
) -> None:
    def crash_at(page: int, forward: Forward) -> httpx.Response:
        if page == FAULT_PAGE:
            raise Crash
        return forward()

    with ExitStack() as stack:
        jp = source.puller(tmp_path / "jp")
        stack.callback(jp.close)
        with pytest.raises(Crash):
            run_round(jp, client_factory=through(Wire(crash_at)))
        before = eu_rows(jp)
        assert 0 < before < len(source.expected)
        cursor = jp.peers.cursor("eu", ALL, "pull")
        assert cursor is not None and cursor.position is not None
    with opened(jp.settings) as jp:
        transfer = pulled(run_round(jp))
        assert transfer.error is None
        # It went on from its saved position: at most the pages stored together came again.
        assert transfer.duplicates <= 4 * PULL_PAGE
        assert_holds_what_eu_released(jp, source)


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param("page-twice", id="a-page-answered-twice"),
        pytest.param("objects-twice", id="each-object-twice-in-a-page"),
        pytest.param("stale-page", id="an-old-page-replayed-next-round"),
    ],
)
def test_a_duplicated_page_stores_each_version_once(source: Source, jp: Node, fault: str) -> None:
    cache: dict[tuple[int, int], httpx.Response] = {}

    def duplicate(page: int, forward: Forward) -> httpx.Response:
        if fault == "page-twice" and page == FAULT_PAGE + 1:
            earlier = cache[(1, FAULT_PAGE)]
            return answer_like(earlier, earlier.content)  # the same page again, `next` too
        response = forward()
        response.read()
        cache[(1, page)] = response
        if fault == "objects-twice" and page == FAULT_PAGE:
            objects = page_objects(response)
            return with_objects(response, objects + objects)
        return answer_like(response, response.content)

    first = pulled(run_round(jp, client_factory=through(Wire(duplicate))))
    assert first.error is None
    if fault == "stale-page":
        # A cache in between answers the next round with a page of the last one.
        stale = cache[(1, FAULT_PAGE)]
        replay = Wire(
            lambda page, forward: answer_like(stale, stale.content) if page == 1 else forward()
        )
        second = pulled(run_round(jp, client_factory=through(replay)))
        assert second.error is None and second.duplicates > 0
    else:
        assert first.duplicates > 0
    assert pull_state_errors(jp) == [None]
    assert_holds_what_eu_released(jp, source)


def forged(obj: Mapping[str, Any], signer: str) -> dict[str, Any]:
    """`obj` signed by a key that is not the registered one."""
    return sign_object(obj, signer, Ed25519PrivateKey.generate())


# How a finding JP was released is changed on the way, and why JP refuses it.
TAMPERINGS: dict[str, tuple[Callable[[dict[str, Any]], dict[str, Any]], str]] = {
    "altered": (
        lambda obj: {**obj, "name": "altered on the way"},
        "the signature does not match its content",
    ),
    "marking-downgraded": (
        lambda obj: {**obj, "object_marking_refs": [TLP2_IDS[Tlp.CLEAR]]},
        "the signature does not match its content",
    ),
    "forged-as-eu": (
        lambda obj: forged({**obj, "name": "forged"}, "EU"),
        "signed with another key or algorithm than EU's",
    ),
    "signature-removed": (unsigned_form, "not signed"),
}
# EU's genuine signature on what EU did not release to JP, as only a broken node sends it.
INJECTED = ("to KR", "RED")


def signed_by_eu(source: Source, name: str) -> dict[str, Any]:
    """EU's signed copy of one of its findings, as only a broken EU node would send it."""
    [finding] = [f for f in source.published if f.body["name"] == name]
    with opened(node_settings(source.data_dir, "EU")) as node:
        stored = node.store.get(node.reader(), finding.body["id"])
        return node.outbound().body(stored)


@pytest.mark.parametrize(
    "fault", [pytest.param(name, id=name) for name in [*TAMPERINGS, "injected-not-released"]]
)
def test_a_tampered_object_is_refused_and_the_rest_stored(
    source: Source, jp: Node, fault: str
) -> None:
    refused: list[str] = []
    injected = [signed_by_eu(source, name) for name in INJECTED] if fault not in TAMPERINGS else []

    def tamper(page: int, forward: Forward) -> httpx.Response:
        response = forward()
        objects = page_objects(response)
        findings = [i for i, obj in enumerate(objects) if not is_node_reference(obj)]
        # On the first page with findings: a later page's success must not clear the
        # refusal from the sync state.
        if refused or not findings:
            return answer_like(response, response.content)
        if injected:
            objects += injected
            refused.extend(obj["id"] for obj in injected)
        else:
            index = findings[0]
            objects[index] = TAMPERINGS[fault][0](objects[index])
            refused.append(objects[index]["id"])
        return with_objects(response, objects)

    transfer = pulled(run_round(jp, client_factory=through(Wire(tamper))))
    assert transfer.error is None and transfer.refused == len(refused) > 0
    reasons = refusals(jp)
    assert len(reasons) == len(refused)
    for stix_id, reason in zip(refused, reasons, strict=True):
        assert stix_id in reason
        assert (TAMPERINGS[fault][1] if fault in TAMPERINGS else "not released to JP") in reason
    [state] = jp.peers.states()
    assert state.last_error is not None and refused[0] in state.last_error
    if injected:
        assert_holds_what_eu_released(jp, source)
        return
    missing = {key for key in source.expected if key[0] == refused[0]}
    assert len(missing) == 1
    assert_holds_exactly(jp, {"EU": set(source.expected) - missing})
    # What was refused is not asked for again by later rounds; a peer added anew is read
    # from the start, and the genuine object arrives.
    jp.peers.remove("eu", actor="test")
    pull_from(jp, "eu", source.server.api_root_url, "EU", source.public_key, source.jp_token)
    transfer = pulled(run_round(jp))
    assert (transfer.error, transfer.refused, transfer.objects) == (None, 0, 1)
    assert_holds_what_eu_released(jp, source)
