"""Supply options: the howitzer example's origin shares worked out by hand, its
dependencies, the least-cost substitutions (asserted exactly, with their cost), the
infeasible case, bill-of-materials errors naming the field, and the command end to end."""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accord.cli.app import app
from accord.core.errors import InvalidInput
from accord.desks.industry.bom import example_bom, example_text, parse_bom
from accord.desks.industry.origin import origin_share
from accord.desks.industry.supply import SupplyReport, analyse_supply

runner = CliRunner()
ALL_IN_FORCE = dt.date(2025, 12, 30)  # EDIRPA (to 2025-12-31), EDIP (from 2025-12-29), SAFE
LATER = dt.date(2026, 11, 30)  # EDIRPA has ended

# The howitzer example (data/examples/howitzer.yaml), by hand, in euros:
#   hull and turret structure PL 1,000,000 | engine DE 600,000 | transmission KR 400,000
#   tracks and running gear PL 300,000 | barrel KR 500,000 | breech PL 200,000
#   autoloader KR 450,000 | fire control KR 400,000 | navigation US 150,000 | radios PL 150,000
COMPONENT_COST = (
    1_000_000
    + 600_000
    + 400_000
    + 300_000
    + 500_000
    + 200_000
    + 450_000
    + (400_000 + 150_000 + 150_000)
)
OUTSIDE = 400_000 + 500_000 + 450_000 + 400_000 + 150_000  # KR and US: none is EU or EEA-EFTA
INSIDE = 1_000_000 + 600_000 + 300_000 + 200_000 + 150_000  # PL and DE
ESTIMATED_VALUE = 4_400_000

SMALL = """\
system:
  name: test gun
  estimated_value: 1000
  subsystems:
    - name: armament
      components:
        - name: barrel
          supplier: Gun works K
          origin: KR
          cost: 400
          alternatives:
            - {supplier: Gun works N, origin: NO, cost: 450}
        - {name: hull, supplier: Hull works, origin: PL, cost: 600}
"""


@pytest.fixture(scope="module")
def howitzer() -> SupplyReport:
    return analyse_supply(example_bom(), ALL_IN_FORCE)


def test_the_howitzer_shares_worked_out_by_hand(howitzer: SupplyReport) -> None:
    assert (COMPONENT_COST, OUTSIDE, INSIDE) == (4_150_000, 1_900_000, 2_250_000)
    assert howitzer.bom.component_cost == COMPONENT_COST
    shares = {item.instrument: item.shares for item in howitzer.instruments}
    (edirpa,), (edip,), (safe,) = shares["edirpa"], shares["edip"], shares["safe"]
    # EDIRPA: inside 2,250,000 of the estimated value 4,400,000 = 45/88 = 51.1363…% < 65 %.
    assert (edirpa.rule_id, edirpa.counted_cost, edirpa.base_amount) == (
        "EDIRPA-65", INSIDE, ESTIMATED_VALUE
    )  # fmt: skip
    assert (edirpa.share, edirpa.percent, edirpa.passed) == (Fraction(45, 88), "51.1363…", False)
    # EDIP and SAFE: outside 1,900,000 of the components' 4,150,000 = 38/83 = 45.7831…% > 35 %;
    # no Ukrainian or Canadian part is bought as built, so SAFE's wider inside changes nothing.
    for share, rule_id in ((edip, "EDIP-10-3"), (safe, "SAFE-16-35")):
        assert (share.rule_id, share.counted_cost, share.base_amount) == (
            rule_id, OUTSIDE, COMPONENT_COST
        )  # fmt: skip
        assert (share.share, share.percent, share.passed) == (Fraction(38, 83), "45.7831…", False)
    assert edip.outside == ("transmission", "barrel", "autoloader", "fire control", "navigation")


def test_the_howitzer_dependencies(howitzer: SupplyReport) -> None:
    assert [part.name for part in howitzer.single_source] == [
        "hull and turret structure", "engine", "tracks and running gear", "breech",
        "autoloader", "radios",
    ]  # fmt: skip
    by_country = [(c.holder, c.cost, c.share) for c in howitzer.by_country]
    assert by_country == [
        ("KR", 1_750_000, Fraction(35, 83)),  # 42.17 %
        ("PL", 1_650_000, Fraction(33, 83)),
        ("DE", 600_000, Fraction(12, 83)),
        ("US", 150_000, Fraction(3, 83)),
    ]
    top = howitzer.by_supplier[:2]
    assert [(c.holder, c.cost, c.share, c.components) for c in top] == [
        ("Licensee hull works", 1_000_000, Fraction(20, 83), ("hull and turret structure",)),
        ("Design authority gun works", 950_000, Fraction(19, 83), ("barrel", "autoloader")),
    ]
    safe = next(item for item in howitzer.instruments if item.instrument == "safe")
    assert safe.notes[0].startswith("CA counts as inside: agreement in force")
    assert safe.notes[1].startswith("KR counts as outside: no agreement in force (negotiating")


def test_the_least_cost_substitutions_are_exactly_these(howitzer: SupplyReport) -> None:
    found = {
        item.target: (
            [(s.component, s.after.supplier, s.after.origin, s.cost_delta) for s in item.swaps],
            item.cost_delta,
            item.optimal,
        )
        for item in howitzer.substitutions
    }
    french = [
        ("fire control", "Fire control maker F", "FR", 60_000),
        ("navigation", "Navigation maker F", "FR", 30_000),
    ]
    assert found == {
        "edirpa": (french, 90_000, True),
        "edip": (french, 90_000, True),
        # SAFE counts Ukraine inside, and Canada through its agreement in force.
        "safe": (
            [
                ("transmission", "Transmission maker U", "UA", 30_000),
                ("navigation", "Navigation maker C", "CA", 10_000),
            ],
            40_000,
            True,
        ),
        "edirpa+edip+safe": (french, 90_000, True),
    }
    joint = howitzer.substitutions[-1]
    # After: inside 2,250,000 + 460,000 + 180,000 = 2,890,000 of 4,400,000 = 65.6818…%;
    # outside 1,900,000 - 400,000 - 150,000 = 1,350,000 of 4,240,000 = 31.8396…%.
    assert joint.cost_after == 4_240_000
    assert [(s.rule_id, s.share, s.passed) for s in joint.shares] == [
        ("EDIRPA-65", Fraction(2_890_000, 4_400_000), True),
        ("EDIP-10-3", Fraction(1_350_000, 4_240_000), True),
        ("SAFE-16-35", Fraction(1_350_000, 4_240_000), True),
    ]
    safe = howitzer.substitutions[2]
    assert [(s.rule_id, s.share) for s in safe.shares] == [
        ("SAFE-16-35", Fraction(1_350_000, 4_190_000))
    ]


def test_the_tempting_barrel_swap_costs_more_and_falls_short_of_edirpa(
    howitzer: SupplyReport,
) -> None:
    # A Polish barrel (+100,000) moves the largest Korean part, and alone it meets EDIP
    # (1,400,000 of 4,250,000 = 32.9411…%), but it costs more than the two French parts
    # (+90,000), and leaves EDIRPA at 2,850,000 of 4,400,000 = 64.7727…% < 65 %.
    components = [(p.name, p.origin, p.cost) for p in howitzer.bom.parts]
    barrel = next(p for p in howitzer.bom.parts if p.name == "barrel").alternatives[0]
    swapped = [
        (n, barrel.origin, barrel.cost) if n == "barrel" else (n, o, c) for n, o, c in components
    ]
    edirpa, edip = (
        next(item for item in howitzer.instruments if item.instrument == name).tests[0]
        for name in ("edirpa", "edip")
    )
    assert barrel.cost - 500_000 == 100_000 > 90_000
    after_edip = origin_share(edip.rule, swapped, ESTIMATED_VALUE, edip.inside)
    assert (after_edip.share, after_edip.passed) == (Fraction(1_400_000, 4_250_000), True)
    after_edirpa = origin_share(edirpa.rule, swapped, ESTIMATED_VALUE, edirpa.inside)
    assert (after_edirpa.percent, after_edirpa.passed) == ("64.7727…", False)


def test_an_assumed_agreement_counts_the_partner_inside_under_safe_only() -> None:
    report = analyse_supply(example_bom(), LATER, ["edip", "safe"], agreements=["kr"])
    edip, safe = report.instruments
    assert (edip.shares[0].share, edip.passed) == (Fraction(38, 83), False)
    # Only the US navigation stays outside: 150,000 of 4,150,000.
    assert (safe.shares[0].share, safe.passed, safe.outside) == (
        Fraction(3, 83), True, ("navigation",)
    )  # fmt: skip
    assert any(
        note.startswith("KR counts as inside: an agreement is assumed") for note in safe.notes
    )
    assert report.substitutions[1].summary == "eligible as built"


def test_instruments_out_of_force_are_skipped_with_a_note() -> None:
    report = analyse_supply(example_bom(), LATER)
    assert [item.instrument for item in report.instruments] == ["edip", "safe"]
    assert report.skipped == (
        "edirpa: skipped: Regulation (EU) 2023/2418 (edirpa) applies from 2023-10-27 to "
        "2025-12-31, not on 2026-11-30",
    )
    assert [item.target for item in report.substitutions] == ["edip", "safe", "edip+safe"]
    edf = analyse_supply(example_bom(), LATER, ["edf"])
    assert edf.skipped == ("edf: skipped: no origin rule in force on 2026-11-30",)
    with pytest.raises(InvalidInput, match="--instrument 'edipp': one of edf, edirpa"):
        analyse_supply(example_bom(), LATER, ["edipp"])
    with pytest.raises(InvalidInput, match="--agreement: 'EL' is the EU's code for Greece"):
        analyse_supply(example_bom(), LATER, agreements=["EL"])


def test_no_combination_of_alternatives_is_reported_as_infeasible() -> None:
    text = SMALL.replace("origin: NO, cost: 450", "origin: JP, cost: 350")
    (edip,) = analyse_supply(parse_bom(text), LATER, ["edip"]).substitutions
    assert (edip.status, edip.eligible, edip.swaps, edip.cost_delta) == ("infeasible", False, (), 0)
    assert edip.summary == "no combination of the alternatives makes it eligible"


def test_the_norwegian_alternative_fixes_the_small_gun_and_a_bare_no_is_norway() -> None:
    bom = parse_bom(SMALL)
    assert bom.parts[0].alternatives[0].origin == "NO"
    (edip,) = analyse_supply(bom, LATER, ["edip"]).substitutions
    # 400 of 1,000 outside (40 %) before; after, nothing outside, for +50.
    assert [(s.component, s.after.origin) for s in edip.swaps] == [("barrel", "NO")]
    assert (edip.cost_delta, edip.shares[0].share, edip.summary) == (
        50, Fraction(0), "1 swap(s), +50 (proven optimal)"
    )  # fmt: skip


def test_among_equal_costs_the_fewest_swaps_win_and_cheaper_alternatives_are_taken() -> None:
    text = SMALL.replace(
        "{name: hull, supplier: Hull works, origin: PL, cost: 600}",
        "{name: hull, supplier: Hull works, origin: PL, cost: 600, alternatives: "
        "[{supplier: Hull works 2, origin: PL, cost: 600}, "
        "{supplier: Hull works 3, origin: CZ, cost: 590}]}",
    )
    (edip,) = analyse_supply(parse_bom(text), LATER, ["edip"]).substitutions
    # Hull works 2 costs the same, so it is no swap; Hull works 3 saves 10, so it is taken.
    assert [(s.component, s.after.supplier) for s in edip.swaps] == [
        ("barrel", "Gun works N"), ("hull", "Hull works 3")
    ]  # fmt: skip
    assert edip.cost_delta == 40


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("origin: KR", "origin: EL", "line 9: system.subsystems[0].components[0].origin: 'EL' "
         "is the EU's code for Greece; ISO 3166-1 writes GR"),
        ("origin: KR", "origin: ZZ", "line 9: system.subsystems[0].components[0].origin: 'ZZ' "
         "is no ISO 3166-1 alpha-2 country code"),
        ("cost: 400", "cost: 400.5", "line 10: system.subsystems[0].components[0].cost: 400.5: "
         "an amount in whole units (0 or more)"),
        ("origin: NO, cost: 450", "origin: NO, cost: -1", "line 12: system.subsystems[0]."
         "components[0].alternatives[0].cost: -1: an amount in whole units"),
        ("          supplier: Gun works K\n", "", "line 7: system.subsystems[0].components[0]."
         "supplier: is missing"),
        ("estimated_value: 1000", "estimated_value: 0", "line 3: system.estimated_value: 0: an "
         "amount in whole units (1 or more)"),
        ("name: hull", "name: barrel", "line 13: system.subsystems[0].components[1].name: "
         "'barrel' is also system.subsystems[0].components[0]; names are unique"),
        ("      components:\n", "      parts:\n", "line 5: system.subsystems[0].components: "
         "expected a non-empty list"),
        ("system:\n", "systems:\n", "bom.yaml: system: is missing"),
        ("name: armament", "name: [armament", "bom.yaml, line 6: not YAML or JSON"),
    ],
)  # fmt: skip
def test_a_bad_bill_of_materials_names_the_file_line_and_field(
    old: str, new: str, message: str
) -> None:
    assert old in SMALL
    with pytest.raises(InvalidInput) as caught:
        parse_bom(SMALL.replace(old, new, 1), "bom.yaml")
    assert message in str(caught.value)
    assert str(caught.value).startswith("bom.yaml")


def test_the_example_file_documents_its_made_up_numbers() -> None:
    text = example_text()
    assert "ILLUSTRATIVE ONLY" in text and "none is a real price" in text
    assert "45.7831… %" in text and "51.1363… %" in text and "64.7727… %" in text


def supply(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["industry", "supply", *args])
    return result.exit_code, result.output


def test_the_command_reports_the_example_as_json() -> None:
    code, output = supply("--example", "--on", "2025-12-30", "--format", "json")
    assert code == 0, output
    found = json.loads(output)
    assert (found["component_cost"], found["estimated_value"]) == (4_150_000, 4_400_000)
    shares = {item["instrument"]: item["shares"][0] for item in found["instruments"]}
    assert {name: (s["share"], s["percent"], s["passed"]) for name, s in shares.items()} == {
        "edirpa": ("45/88", "51.1363…", False),
        "edip": ("38/83", "45.7831…", False),
        "safe": ("38/83", "45.7831…", False),
    }
    assert (shares["edip"]["citation"], shares["edip"]["status"]) == ("Art. 10(3)", "text_read")
    joint = found["substitutions"][-1]
    assert (joint["target"], joint["status"], joint["cost_delta"]) == (
        "edirpa+edip+safe", "optimal", 90_000
    )  # fmt: skip
    assert [swap["component"] for swap in joint["swaps"]] == ["fire control", "navigation"]


def test_the_command_prints_tables_for_a_bom_file(tmp_path: Path) -> None:
    bom = tmp_path / "gun.yaml"
    bom.write_text(SMALL)
    code, output = supply("--bom", str(bom), "--on", "2026-06-01", "--instrument", "edip")
    assert code == 0, output
    for expected in ("EDIP-10-3", "40 %", "≤ 35 %", "fail", "text_read", "single source"):
        assert expected in output
    assert "Gun works N" in output and "+50" in output and "proven optimal" in output
    bom.write_text(SMALL.replace("origin: NO, cost: 450", "origin: JP, cost: 350"))
    code, output = supply("--bom", str(bom), "--on", "2026-06-01", "--instrument", "edip")
    assert code == 0 and "no combination of the alternatives makes it eligible" in output


def test_the_command_refuses_bad_input_with_one_line(tmp_path: Path) -> None:
    bom = tmp_path / "gun.yaml"
    bom.write_text(SMALL.replace("origin: KR", "origin: EL"))
    code, output = supply("--bom", str(bom))
    assert code == 1
    assert "system.subsystems[0].components[0].origin" in output.replace("\n", "")
    assert supply()[0] == 1
    assert supply("--example", "--format", "xml")[0] == 1
    assert supply("--example", "--on", "30/12/2025")[0] == 1


def test_names_with_brackets_are_printed_as_written(tmp_path: Path) -> None:
    # Rich would read "[/red]" as markup and fail; names are data, not markup.
    bom = tmp_path / "bom.yaml"
    bom.write_text(
        """system:
  name: "Gun [/red]"
  estimated_value: 1000
  subsystems:
    - name: all
      components:
        - {name: "barrel [bold]", supplier: "Maker [/red]", origin: KR, cost: 500,
           alternatives: [{supplier: "PL [x]", origin: PL, cost: 600}]}
        - {name: engine, supplier: M, origin: DE, cost: 500}
""",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["industry", "supply", "--bom", str(bom)])
    assert result.exit_code == 0, result.output
    assert "Gun [/red]" in result.output and "Maker [/red] (KR)" in result.output
