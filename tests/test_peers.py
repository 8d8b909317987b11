"""Peers: registered with their partner, key and mode; tokens encrypted at rest and never
logged or printed; bad input named; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import orjson
import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from typer.testing import CliRunner

from accord.cli.app import app
from accord.core import tables
from accord.core.database import Database
from accord.core.errors import AccordError, AlreadyExists, InvalidInput, NotFound
from accord.core.node import Node
from accord.core.peers import new_federation_key
from accord.core.settings import Settings
from accord.core.signing import key_id, public_key_from_text, public_key_text

TOKEN = "s3cret-bearer-token-for-jp"
JP_KEY = public_key_text(Ed25519PrivateKey.from_private_bytes(bytes(32)).public_key())


@pytest.fixture
def peered(database: Database, tmp_path: Path) -> Iterator[Node]:
    settings = Settings(
        data_dir=tmp_path / "node",
        database_url=database.url,
        home_partner="EU",
        federation_key=new_federation_key(),
    )
    node = Node(settings)
    node.initialise(actor="test")
    yield node
    node.close()


def add_jp(node: Node, **changes: Any) -> Any:
    arguments: dict[str, Any] = {
        "partner": "JP",
        "public_key": JP_KEY,
        "token": TOKEN,
        "mode": "both",
        "collections": ["all"],
        "actor": "admin",
    }
    return node.peers.add("jp-mod", "https://accord.mod.go.jp/taxii2/api", **arguments | changes)


def test_a_peer_is_registered_and_its_token_kept_encrypted(peered: Node) -> None:
    peer = add_jp(peered)
    assert (peer.name, peer.partner, peer.mode, peer.collections) == (
        "jp-mod",
        "JP",
        "both",
        ("all",),
    )
    assert peer.url == "https://accord.mod.go.jp/taxii2/api/"
    assert peer.pulls and peer.pushes
    assert peered.peers.token("jp-mod") == TOKEN
    with peered.database.reading() as connection:
        stored = connection.execute(select(tables.peers.c.token)).scalar()
    assert TOKEN.encode() not in bytes(stored)
    entries = peered.audit.entries(action="peer.add")
    assert len(entries) == 1 and TOKEN not in orjson.dumps(entries[0].detail).decode()
    keys = peered.peers.public_keys()
    assert key_id(keys["JP"]) == key_id(public_key_from_text(JP_KEY))


@pytest.mark.parametrize(
    ("changes", "url", "error", "message"),
    [
        ({"mode": "sideways"}, None, InvalidInput, "--mode 'sideways'"),
        ({"partner": "XX"}, None, NotFound, "--partner XX"),
        ({"partner": "EU"}, None, InvalidInput, "this node's own partner"),
        ({"public_key": "nope"}, None, InvalidInput, "not a base64url Ed25519 key"),
        ({"token": " "}, None, InvalidInput, "--token"),
        ({}, "http://accord.mod.go.jp/taxii2/api/", InvalidInput, "peers speak HTTPS"),
        ({}, "ftp://x/", InvalidInput, "TAXII API root"),
    ],
)
def test_bad_peers_are_refused_naming_the_field(
    peered: Node, changes: dict[str, Any], url: str | None, error: type[AccordError], message: str
) -> None:
    arguments: dict[str, Any] = {
        "partner": "JP",
        "public_key": JP_KEY,
        "token": TOKEN,
        "actor": "admin",
    }
    with pytest.raises(error, match=message):
        peered.peers.add("jp-mod", url or "https://jp.example/taxii2/api/", **arguments | changes)
    assert peered.peers.peers() == []


def test_loopback_http_is_allowed_and_names_are_unique(peered: Node) -> None:
    peered.peers.add(
        "jp-local", "http://127.0.0.1:8443/taxii2/api/", partner="JP", public_key=JP_KEY,
        token=TOKEN, actor="admin",
    )  # fmt: skip
    add_jp(peered)
    with pytest.raises(AlreadyExists):
        add_jp(peered)
    assert [p.name for p in peered.peers.peers()] == ["jp-local", "jp-mod"]


def test_removing_a_peer_forgets_its_sync_state(peered: Node) -> None:
    add_jp(peered)
    with peered.database.writing() as connection:
        connection.execute(
            tables.peer_cursors.insert().values(
                peer="jp-mod", collection="all", direction="pull", objects=3
            )
        )
    assert [s.objects for s in peered.peers.states("jp-mod")] == [3]
    peered.peers.remove("jp-mod", actor="admin")
    assert peered.peers.states() == []
    with pytest.raises(NotFound, match="no peer 'jp-mod'"):
        peered.peers.remove("jp-mod", actor="admin")


def test_sync_state_is_kept_per_direction_and_a_reset_forgets_it(peered: Node) -> None:
    add_jp(peered)
    peered.peers.record_sync("jp-mod", "all", "pull", position="2026-11-30T10:00:00Z", objects=4)
    peered.peers.record_sync("jp-mod", "all", "pull", position=None, objects=2, error="down")
    peered.peers.record_sync("jp-mod", "all", "push", position="17", objects=1)
    pulled = peered.peers.cursor("jp-mod", "all", "pull")
    assert pulled is not None
    assert (pulled.position, pulled.objects, pulled.last_error) == (
        "2026-11-30T10:00:00Z",  # a failed step keeps the position it had
        6,
        "down",
    )
    assert [s.direction for s in peered.peers.states("jp-mod")] == ["pull", "push"]
    peered.peers.reset("jp-mod", actor="admin")
    assert peered.peers.states() == [] and peered.peers.peers() != []
    assert peered.audit.entries(action="peer.reset")[0].target == "jp-mod"
    with pytest.raises(NotFound, match="no peer 'jp-x'"):
        peered.peers.reset("jp-x", actor="admin")


def test_without_the_federation_key_or_with_another_the_token_is_out_of_reach(
    database: Database, tmp_path: Path
) -> None:
    common = {"data_dir": tmp_path / "n", "database_url": database.url, "home_partner": "EU"}
    with closing(Node(Settings(**common))) as bare:
        bare.initialise(actor="test")
        with pytest.raises(InvalidInput, match="ACCORD_FEDERATION_KEY is not set"):
            add_jp(bare)
    with closing(Node(Settings(**common, federation_key=new_federation_key()))) as first:
        add_jp(first)
    second = closing(Node(Settings(**common, federation_key=new_federation_key())))
    with second as other, pytest.raises(InvalidInput, match="cannot read its token"):
        other.peers.token("jp-mod")
    broken = closing(Node(Settings(**common, federation_key="short")))
    with broken as unusable, pytest.raises(InvalidInput, match="no Fernet key"):
        unusable.peers.token("jp-mod")


def test_the_peer_commands_never_print_the_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    monkeypatch.delenv("ACCORD_DATABASE_URL", raising=False)
    monkeypatch.setenv("ACCORD_HOME_PARTNER", "EU")
    data = ["--data-dir", str(tmp_path / "node")]
    key = runner.invoke(app, ["peer", "keygen"]).output.strip()
    Fernet(key.encode())  # a usable key
    monkeypatch.setenv("ACCORD_FEDERATION_KEY", key)
    assert runner.invoke(app, ["init", *data]).exit_code == 0
    own = runner.invoke(app, ["peer", "key", *data])
    assert own.exit_code == 0 and "partner EU" in own.output and "ed25519:" in own.output
    added = runner.invoke(
        app,
        ["peer", "add", "jp-mod", "https://jp.example/taxii2/api/", "--token", TOKEN,
         "--partner", "JP", "--public-key", JP_KEY, "--mode", "pull", *data],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    listed = runner.invoke(app, ["peer", "list", *data], env={"COLUMNS": "200"})
    assert "jp-mod" in listed.output and "pull" in listed.output
    status = runner.invoke(app, ["peer", "status", *data])
    assert status.exit_code == 0
    bad = runner.invoke(app, ["peer", "status", "nobody", *data])
    assert bad.exit_code != 0 and "no peer 'nobody'" in bad.output
    removed = runner.invoke(app, ["peer", "remove", "jp-mod", *data])
    assert removed.exit_code == 0
    for result in (added, listed, status, removed):
        assert TOKEN not in result.output
