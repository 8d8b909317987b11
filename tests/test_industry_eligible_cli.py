"""``accord industry eligible`` and ``accord industry rules`` end to end: the JSON answer,
the table a person reads (citations and statuses), and errors naming the file and field."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from accord.cli.app import app

runner = CliRunner()

CONSORTIUM = """\
action: {type: development, activities: [design, prototyping], pesco: true,
         supporting_states: [PL, EE]}
entities:
  - {id: kongsberg, name: Kongsberg Defence & Aerospace, role: coordinator, established_in: NO}
  - {id: wb, name: WB Electronics, established_in: PL}
  - {id: milrem, name: Milrem Robotics, established_in: EE, sme: true}
  - id: hanwha-pl
    name: Hanwha Aerospace Poland
    established_in: PL
    control_chain:
      - {name: Hanwha Aerospace, country: KR}
      - {name: Hanwha Group, country: KR}
    guarantees: none
  - {id: mhi, name: Mitsubishi Heavy Industries, role: cooperation, established_in: JP,
     requests_eu_funding: false}
"""

SINGLE_SAFE = """\
procuring_states: [{country: PL, receives_safe_loan: true}]
contract_signed: 2026-04-01
contractors: [{id: hsw, name: Huta Stalowa Wola, established_in: PL}]
"""


def write(tmp_path: Path, text: str, name: str = "question.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_eligible_json_answers_with_verdict_conditions_standing_and_rules(tmp_path: Path) -> None:
    question = write(tmp_path, CONSORTIUM)
    result = runner.invoke(
        app, ["industry", "eligible", "--instrument", "edf", str(question), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["verdict"] == "eligible_with_condition"
    assert answer["conditions"] == ["guarantees_required:hanwha-pl", "no_eu_funding:mhi"]
    assert answer["entity_status"] == {
        "kongsberg": "eligible",
        "wb": "eligible",
        "milrem": "eligible",
        "hanwha-pl": "eligible_if_guarantees",
        "mhi": "unfunded_cooperation_only",
    }
    assert answer["metrics"]["funding_rate_percent"] == {"design": "100", "prototyping": "30"}
    rules = {rule["id"]: rule for rule in answer["rules"]}
    assert rules["EDF-9-4"]["citation"] == "Art. 9(4)" and rules["EDF-9-4"]["status"] == "text_read"
    assert rules["EDF-10-4"]["passed"] is True and rules["EDF-13-3b"]["passed"] is None
    assert set(rules["EDF-9-4"]) == {
        "id",
        "version",
        "citation",
        "status",
        "sources",
        "passed",
        "why",
    }


def test_eligible_table_names_citations_statuses_and_unverified_rules(tmp_path: Path) -> None:
    question = write(tmp_path, SINGLE_SAFE)
    result = runner.invoke(
        app, ["industry", "eligible", "--instrument", "safe", str(question)], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "Council Regulation (EU) 2025/1106 (safe), 2026-04-01: ELIGIBLE" in result.output
    assert "SAFE-SINGLE" in result.output and "NOT VERIFIED" in result.output
    assert "Art. 16(3)" in result.output and "text read" in result.output


def test_a_malformed_question_is_refused_naming_the_file_and_field(tmp_path: Path) -> None:
    question = write(
        tmp_path,
        CONSORTIUM.replace(
            "country: KR}\n      - {name: Hanwha Group", "country: XX}\n      - {name: Hanwha Group"
        ),
    )
    result = runner.invoke(app, ["industry", "eligible", "--instrument", "edf", str(question)])
    assert result.exit_code == 1
    assert "entities[3].control_chain[0].country: 'XX'" in " ".join(result.output.split())


def test_an_unknown_instrument_or_a_day_outside_it_is_refused(tmp_path: Path) -> None:
    question = write(tmp_path, SINGLE_SAFE)
    unknown = runner.invoke(app, ["industry", "eligible", "--instrument", "asap", str(question)])
    assert unknown.exit_code == 1 and "--instrument 'asap'" in unknown.output
    late = runner.invoke(
        app, ["industry", "eligible", "--instrument", "edirpa", str(question), "--on", "2026-01-02"]
    )
    assert late.exit_code == 1 and "not on 2026-01-02" in " ".join(late.output.split())


def test_rules_lists_each_instruments_records() -> None:
    result = runner.invoke(app, ["industry", "rules", "--instrument", "safe", "--format", "json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.output)
    assert [record["id"] for record in records] == [
        "SAFE-1",
        "SAFE-2-CP",
        "SAFE-SINGLE",
        "SAFE-16-3",
        "SAFE-16-4",
        "SAFE-16-CTRL",
        "SAFE-16-35",
        "SAFE-17",
        "SAFE-17-COPROC",
    ]
    single = records[2]
    assert single["status"] == "not_verified" and single["sources"] == []
    assert single["valid_from"] == "2025-05-27" and single["valid_to"] is None
    table = runner.invoke(app, ["industry", "rules"])
    assert table.exit_code == 0 and "EDIRPA-65" in table.output and "NOT VERIFIED" in table.output


def test_publish_stores_the_answer_for_the_partners_named_only(tmp_path: Path) -> None:
    data_dir = tmp_path / "node"
    assert runner.invoke(app, ["init", "--data-dir", str(data_dir)]).exit_code == 0
    question = write(tmp_path, CONSORTIUM)
    args = ["industry", "eligible", "--instrument", "edf", str(question), "--format", "json"]
    published = runner.invoke(
        app, [*args, "--publish", "--release", "KR", "--data-dir", str(data_dir)]
    )
    assert published.exit_code == 0, published.output
    assert "TLP:AMBER, released to KR" in published.output
    listed = {
        partner: runner.invoke(
            app,
            [
                "objects",
                "list",
                "--as",
                partner,
                "--type",
                "eligibility-assessment",
                "--data-dir",
                str(data_dir),
            ],
        ).output
        for partner in ("KR", "MD")
    }
    assert "eligibility-assessment--" in listed["KR"]
    assert "eligibility-assessment--" not in listed["MD"]
