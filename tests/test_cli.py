"""The ``accord`` command line, through Typer's runner, on a node in a temp directory."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from accord.cli.app import app
from tests.data import indicator, stix_example_files

runner = CliRunner()


def accord(data_dir: Path, *args: str, input_: str | None = None) -> Any:
    result = runner.invoke(app, [*args, "--data-dir", str(data_dir)], input=input_)
    return result


@pytest.fixture
def node_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("ACCORD_DATABASE_URL", raising=False)
    monkeypatch.setenv("ACCORD_HOME_PARTNER", "EU")
    data_dir = tmp_path / "node"
    result = accord(data_dir, "init")
    assert result.exit_code == 0, result.output
    return data_dir


def write_bundle(path: Path, objects: list[dict[str, Any]]) -> Path:
    path.write_text(
        json.dumps({"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects})
    )
    return path


def test_commands_without_init_say_to_run_init(tmp_path: Path) -> None:
    result = accord(tmp_path / "empty", "partner", "list")
    assert result.exit_code == 1
    assert "accord init" in result.output


def test_partner_list_shows_the_partnership(node_dir: Path) -> None:
    result = accord(node_dir, "partner", "list")
    assert result.exit_code == 0
    for code in ("EU", "JP", "KR", "NO", "MD"):
        assert code in result.output


def test_partner_add_and_bad_code(node_dir: Path) -> None:
    assert accord(node_dir, "partner", "add", "AU", "Australia").exit_code == 0
    assert "AU" in accord(node_dir, "partner", "list").output
    bad = accord(node_dir, "partner", "add", "au!", "Nowhere")
    assert bad.exit_code == 1
    assert "au!" in bad.output


def test_group_create_and_membership(node_dir: Path) -> None:
    created = accord(node_dir, "group", "create", "nordic-baltic", "--members", "EU,NO,EE")
    assert created.exit_code == 0, created.output
    assert accord(node_dir, "group", "add-member", "nordic-baltic", "PL").exit_code == 0
    assert "EE, EU, NO, PL" in accord(node_dir, "group", "list").output


def test_token_is_printed_once_and_never_listed(node_dir: Path) -> None:
    created = accord(node_dir, "token", "create", "--partner", "EU", "--role", "admin")
    assert created.exit_code == 0, created.output
    token = created.output.strip().splitlines()[-1]
    assert token.startswith("accord_")
    listed = accord(node_dir, "token", "list")
    assert token not in listed.output
    token_id = token.split("_")[1]
    assert token_id in listed.output
    assert accord(node_dir, "token", "revoke", token_id).exit_code == 0
    audited = accord(node_dir, "audit", "list", "--action", "token.revoke").output
    assert token_id in audited
    assert token not in audited


def test_import_with_release_then_list_as_partners(node_dir: Path, tmp_path: Path) -> None:
    finding = indicator(name="Maritime C2 beacon")
    bundle = write_bundle(tmp_path / "b.json", [finding])
    result = accord(node_dir, "import", str(bundle), "--tlp", "amber", "--release", "JP")
    assert result.exit_code == 0, result.output
    assert "2 stored" in " ".join(result.output.split())  # the finding and its marking
    as_jp = accord(node_dir, "objects", "list", "--as", "JP", "--type", "indicator", "--json")
    assert [json.loads(line)["id"] for line in as_jp.output.splitlines()] == [finding["id"]]
    as_kr = accord(node_dir, "objects", "list", "--as", "KR", "--type", "indicator", "--json")
    assert as_kr.output == ""
    table = accord(node_dir, "objects", "list", "--as", "KR", "--type", "indicator")
    assert "0 of 0" in table.output
    hidden = accord(node_dir, "objects", "show", finding["id"], "--as", "KR")
    assert hidden.exit_code == 1
    shown = accord(node_dir, "objects", "show", finding["id"], "--as", "JP")
    assert json.loads(shown.output)["name"] == "Maritime C2 beacon"


def test_import_of_a_bad_bundle_names_file_object_and_field(node_dir: Path, tmp_path: Path) -> None:
    good, bad = indicator(name="fine"), indicator(name="broken")
    bad["pattern"] = "[domain-name:value = "
    bundle = write_bundle(tmp_path / "bad.json", [good, bad])
    result = accord(node_dir, "import", str(bundle))
    assert result.exit_code == 1
    assert "bad.json" in result.output and bad["id"] in result.output
    assert "position 1" in result.output and "'pattern'" in result.output
    listed = accord(node_dir, "objects", "list", "--type", "indicator", "--json")
    assert [json.loads(line)["id"] for line in listed.output.splitlines()] == [good["id"]]


def test_import_with_an_unknown_release_partner_stores_nothing(
    node_dir: Path, tmp_path: Path
) -> None:
    bundle = write_bundle(tmp_path / "b.json", [indicator(name="x")])
    result = accord(node_dir, "import", str(bundle), "--release", "XX")
    assert result.exit_code == 1
    assert "'XX'" in result.output
    assert accord(node_dir, "objects", "list", "--type", "indicator", "--json").output == ""


def test_import_of_broken_json_names_line_and_column(node_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"type": "bundle",\n "objects": [,]}')
    result = accord(node_dir, "import", str(broken))
    assert result.exit_code == 1
    assert "broken.json:2:" in result.output


def test_export_as_partner_holds_only_its_objects(node_dir: Path, tmp_path: Path) -> None:
    for_jp, for_kr = indicator(name="for JP"), indicator(name="for KR")
    accord(
        node_dir,
        "import",
        str(write_bundle(tmp_path / "a.json", [for_jp])),
        "--tlp",
        "green",
        "--release",
        "sdp-jp",
    )
    accord(
        node_dir,
        "import",
        str(write_bundle(tmp_path / "b.json", [for_kr])),
        "--tlp",
        "green",
        "--release",
        "sdp-kr",
    )
    out = tmp_path / "jp.json"
    result = accord(node_dir, "export", "--as", "JP", "--out", str(out))
    assert result.exit_code == 0, result.output
    ids = {obj["id"] for obj in json.loads(out.read_text())["objects"]}
    assert for_jp["id"] in ids and for_kr["id"] not in ids


def test_share_gives_a_new_version_to_more_partners(node_dir: Path, tmp_path: Path) -> None:
    finding = indicator(name="shared later")
    accord(
        node_dir,
        "import",
        str(write_bundle(tmp_path / "a.json", [finding])),
        "--tlp",
        "amber",
        "--release",
        "JP",
    )
    result = accord(node_dir, "objects", "share", finding["id"], "--release", "JP,KR")
    assert result.exit_code == 0, result.output
    assert accord(node_dir, "objects", "show", finding["id"], "--as", "KR").exit_code == 0
    versions = accord(node_dir, "objects", "versions", finding["id"])
    assert len(versions.output.split()) == 2


def test_import_examples_count_and_audit_verify(node_dir: Path) -> None:
    for path in stix_example_files()[:3]:
        assert accord(node_dir, "import", str(path)).exit_code == 0
    counted = accord(node_dir, "objects", "count")
    assert "total" in counted.output
    verified = accord(node_dir, "audit", "verify")
    assert verified.exit_code == 0
    assert "intact" in verified.output


def test_user_add_reads_password_from_stdin(node_dir: Path) -> None:
    result = accord(
        node_dir,
        "user",
        "add",
        "aiko",
        "--partner",
        "JP",
        "--role",
        "analyst",
        "--password-stdin",
        input_="correct horse battery staple\n",
    )
    assert result.exit_code == 0, result.output
    assert "aiko" in accord(node_dir, "user", "list").output


def test_demo_prints_what_each_partner_sees(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--dir", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    lines = {
        line.split()[1]: line
        for line in result.output.splitlines()
        if line.startswith("│") and len(line.split()) > 2
    }
    for code in ("EU", "JP", "KR", "NO", "MD"):
        assert code in lines
    assert "maritime" in result.output
    # The FIMI part ran on the EUvsDisinfo cases beside the checkout and published its incident.
    assert "FIMI:" in result.output and "released to sdp-md, sdp-jp" in result.output
    # The industry part judged the packaged examples and stored the answers for Korea only.
    industry = " ".join(result.output.split("Industry:", 1)[1].split())
    assert "EDF eligible with condition (guarantees_required:hanwha-pl" in industry
    assert "SAFE eligible" in industry and "released to sdp-kr" in industry


def test_collection_add_list_and_remove(node_dir: Path) -> None:
    added = accord(
        node_dir,
        "collection",
        "add",
        "hormuz",
        "--title",
        "Strait of Hormuz",
        "--types",
        "indicator,sighting",
        "--audience",
        "maritime-indo-pacific",
    )
    assert added.exit_code == 0, added.output
    listed = accord(node_dir, "collection", "list")
    assert "hormuz" in listed.output and "maritime-indo-pacific" in listed.output
    assert accord(node_dir, "collection", "remove", "hormuz").exit_code == 0
    assert "hormuz" not in accord(node_dir, "collection", "list").output


def test_collection_add_names_a_bad_alias_or_audience(node_dir: Path) -> None:
    bad_alias = accord(node_dir, "collection", "add", "Bad Alias", "--title", "x")
    assert bad_alias.exit_code == 1 and "collection Bad Alias: alias" in bad_alias.output
    unknown = accord(node_dir, "collection", "add", "x", "--title", "x", "--audience", "sdp-zz")
    assert unknown.exit_code == 1 and "audience 'sdp-zz'" in unknown.output
