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


PROXIED = {"X-Forwarded-Proto": "https", "Host": "accord.example.eu"}


def test_behind_a_trusted_proxy_the_public_url_and_client_addresses_are_used(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    with live_server(tmp_path_factory.mktemp("proxied")) as server:
        secret = server.token("JP", Role.READER)
        headers = {**PROXIED, "Authorization": f"Bearer {secret}"}
        discovery = httpx.get(server.discovery_url, headers=headers).json()
        assert discovery["default"] == "https://accord.example.eu/taxii2/api/"
        # Failed logins are limited per client: one client locked out is not everyone behind
        # the proxy.
        wrong = {"Authorization": "Bearer wrong"}
        # 30 a minute, refilled as time passes: on a loaded machine 40 requests can take long
        # enough to be refilled, so the client keeps failing until it is locked out.
        locked_out = False
        for _ in range(300):
            answer = httpx.get(
                server.discovery_url, headers={**wrong, "X-Forwarded-For": "203.0.113.7"}
            )
            if answer.status_code == 429:
                locked_out = True
                break
            assert answer.status_code == 401
        assert locked_out
        other = httpx.get(server.discovery_url, headers={**wrong, "X-Forwarded-For": "203.0.113.8"})
        assert other.status_code == 401


def test_an_untrusted_proxys_headers_are_ignored(tmp_path_factory: pytest.TempPathFactory) -> None:
    options = ("--forwarded-allow-ips", "192.0.2.1")
    with live_server(tmp_path_factory.mktemp("untrusted"), serve_options=options) as server:
        secret = server.token("JP", Role.READER)
        headers = {**PROXIED, "Authorization": f"Bearer {secret}"}
        discovery = httpx.get(server.discovery_url, headers=headers).json()
    assert discovery["default"].startswith("http://accord.example.eu/")
