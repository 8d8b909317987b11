"""Goods screening against the Common High Priority List (CHPL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.core.errors import InvalidInput
from accord.desks.sanctions.goods import (
    PriorityItem,
    load_chpl,
    screen_shipments,
    shipment_columns,
    write_flagged,
)
from tests.data import SHARED_DATA

CHPL = SHARED_DATA / "sanctions" / "chpl.csv"


@pytest.fixture(scope="module")
def items() -> list[PriorityItem]:
    return load_chpl(CHPL)


def test_the_chpl_has_its_50_codes_in_six_tiers(items: list[PriorityItem]) -> None:
    assert len(items) == 50
    assert {item.tier for item in items} == {"1", "2", "3.A", "3.B", "4.A", "4.B"}
    assert next(i for i in items if i.hs6 == "854231").tier == "1"


def test_longer_customs_codes_match_on_their_first_six_digits_and_descriptions_too(
    items: list[PriorityItem],
    tmp_path: Path,
) -> None:
    shipments = tmp_path / "shipments.csv"
    shipments.write_text(
        "id,hs_code,description,consignee\n"
        "S1,8542.31.90,Processors,Acme\n"  # a national 8-digit code of a Tier 1 HS-6
        "S2,9503.00,Toy cars,Toyland\n"  # no match
        "S3,8473.30,Integrated circuits: processors and controllers,Bravo\n"  # by description
        "S4,,fixed capacitors tantalum,Charlie\n"  # no code at all
        "S5,8471.30,Laptop computers,Delta\n"
    )
    flagged = list(screen_shipments(shipments, items))
    assert [(f.row["id"], f.item.hs6, f.matched_on) for f in flagged] == [
        ("S1", "854231", "hs_code"),
        ("S3", "854231", "description"),
        ("S4", "853221", "description"),
    ]
    out = tmp_path / "flagged.csv"
    assert write_flagged(iter(flagged), out, shipment_columns(shipments)) == 3
    lines = out.read_text().splitlines()
    added = "line,chpl_hs6,chpl_tier,chpl_description,matched_on,score"
    assert lines[0] == f"id,hs_code,description,consignee,{added}"
    assert lines[1].startswith("S1,8542.31.90,Processors,Acme,2,854231,1,")


def test_bad_files_name_the_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "chpl.csv"
    bad.write_text("hs_code,tier,description\n85423,1,too short\n")
    with pytest.raises(InvalidInput, match=r"chpl\.csv:2: hs_code '85423'"):
        load_chpl(bad)
    shipments = tmp_path / "s.csv"
    shipments.write_text("id,goods\nS1,x\n")
    with pytest.raises(InvalidInput, match=r"s\.csv:1: no column hs_code or description"):
        list(screen_shipments(shipments, []))


def test_the_goods_command_writes_the_flagged_rows(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from accord.cli.app import app

    shipments = tmp_path / "shipments.csv"
    shipments.write_text("id,hs_code,description\nS1,854239,FPGA boards\nS2,950300,toys\n")
    out = tmp_path / "flagged.csv"
    result = CliRunner().invoke(
        app, ["sanctions", "goods", str(shipments), "--out", str(out), "--chpl", str(CHPL)]
    )
    assert result.exit_code == 0, result.output
    assert "1 shipments flagged" in result.output
    assert out.read_text().splitlines()[1].startswith("S1,854239,FPGA boards,2,854239,1,")
    missing = CliRunner().invoke(app, ["sanctions", "goods", str(shipments), "--out", str(out)])
    assert missing.exit_code == 1 and "ACCORD_SANCTIONS_CHPL_FILE" in missing.output
