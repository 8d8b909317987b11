"""``accord serve``: its options, and HTTPS (TAXII 2.1 §1.6.1 requires TLS)."""

from __future__ import annotations

import ssl
import subprocess
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from accord.cli.app import app
from accord.core.principals import Role
from tests.live_server import live_server


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate and key for 127.0.0.1, made with openssl."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def test_serve_answers_taxii_over_https(tmp_path_factory: pytest.TempPathFactory) -> None:
    certificates = tmp_path_factory.mktemp("tls")
    cert, key = self_signed_certificate(certificates)
    options = ("--ssl-certfile", str(cert), "--ssl-keyfile", str(key))
    with live_server(tmp_path_factory.mktemp("https"), serve_options=options) as server:
        secret = server.token("JP", Role.READER)
        trusted = ssl.create_default_context(cafile=str(cert))
        answer = httpx.get(
            server.discovery_url, headers={"Authorization": f"Bearer {secret}"}, verify=trusted
        )
    assert server.base_url.startswith("https://")
    assert answer.status_code == 200
    assert answer.json()["default"].startswith("https://")


def test_serve_needs_both_certificate_and_key(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["serve", "--ssl-certfile", str(tmp_path / "c.pem"), "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "--ssl-certfile and --ssl-keyfile" in result.output
