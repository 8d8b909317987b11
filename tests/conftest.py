"""Shared fixtures: a fresh store database on SQLite and on PostgreSQL for every test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from accord.core.database import Database
from accord.core.node import Node
from accord.core.settings import Settings
from accord.desks.maritime.reference import Reference, ReferenceFiles, load_reference

POSTGRES_ADMIN_URL = os.environ.get(
    "ACCORD_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def _sqlalchemy_url(dbname: str) -> str:
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    return f"{base}/{dbname}"


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A migrated template database; each test clones it (fast) into a database of its own."""
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI and is not reachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {exc}")
    name = f"accord_tmpl_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    database = Database(_sqlalchemy_url(name))
    database.migrate()
    database.dispose()
    try:
        yield name
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _postgres_database(template: str) -> Iterator[Database]:
    name = f"accord_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    database = Database(_sqlalchemy_url(name))
    try:
        yield database
    finally:
        database.dispose()
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty store database: SQLite in a temp dir, and a fresh PostgreSQL one."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'accord.sqlite'}")
        database.migrate()
        yield database
        database.dispose()
    else:
        yield from _postgres_database(request.getfixturevalue("postgres_template"))


@pytest.fixture
def sqlite_database(tmp_path: Path) -> Iterator[Database]:
    """A migrated SQLite store only (for tests about SQLite behaviour itself)."""
    database = Database(f"sqlite:///{tmp_path / 'accord.sqlite'}")
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture
def node(database: Database, tmp_path: Path) -> Iterator[Node]:
    """An initialised node with the default partnership, on SQLite and on PostgreSQL."""
    settings = Settings(data_dir=tmp_path / "node", database_url=database.url, home_partner="EU")
    accord_node = Node(settings)
    accord_node.initialise(actor="test")
    yield accord_node
    accord_node.close()


@pytest.fixture(scope="session")
def maritime_reference(tmp_path_factory: pytest.TempPathFactory) -> Reference:
    """The maritime desk's reference indexes from the shared data (built once a session)."""
    maritime = Path(__file__).resolve().parents[2] / "shared" / "data" / "maritime"
    files = ReferenceFiles(
        coastline_file=maritime / "ne_10m_coastline.geojson.gz",
        land_file=maritime / "ne_50m_land.geojson",
        ports_file=maritime / "gfw_WPI_ports.csv",
        anchorages_file=maritime / "gfw_anchorage_overrides.csv.gz",
    )
    return load_reference(files, tmp_path_factory.mktemp("maritime-reference"))
