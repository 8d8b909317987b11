"""``accord fimi`` ingest and coordination through the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from accord.cli.app import app

runner = CliRunner()


def run(data_dir: Path, *args: str) -> Any:
    return runner.invoke(app, [*args, "--data-dir", str(data_dir)])


def test_ingest_then_coordination_finds_the_ring(tmp_path: Path) -> None:
    data_dir = tmp_path / "node"
    assert run(data_dir, "init").exit_code == 0
    lines = ["id,account,text,timestamp,url"]
    for burst in range(5):
        for offset, account in enumerate(("ring1", "ring2", "ring3")):
            seconds = burst * 3600 + offset * 10
            lines.append(
                f"{burst}-{account},{account},look,{1772366400 + seconds},https://ring.example/{burst}"
            )
    lines += [
        f"o{i},organic{i},hello {i},{1772366400 + i * 997},https://popular.example"
        for i in range(20)
    ]
    lines.append("bad,,no account,1772366400,")
    posts = tmp_path / "posts.csv"
    posts.write_text("\n".join(lines) + "\n")
    first = run(data_dir, "fimi", "ingest", str(posts))
    assert first.exit_code == 0, first.output
    assert "35 posts added" in first.output and "1 rejected" in first.output
    assert "0 posts added, 35 already there" in run(data_dir, "fimi", "ingest", str(posts)).output
    found = json.loads(
        run(data_dir, "fimi", "coordination", "--window", "60s", "--format", "json").output
    )
    assert [c["accounts"] for c in found] == [["ring1", "ring2", "ring3"]]
    assert found[0]["signals"]["url"] == 15 and len(found[0]["evidence"]) == 15
    assert (
        json.loads(
            run(data_dir, "fimi", "coordination", "--window", "1s", "--format", "json").output
        )
        == []
    )


def test_dedup_narratives_and_cases_through_the_cli(tmp_path: Path) -> None:
    data_dir = tmp_path / "node"
    assert run(data_dir, "init").exit_code == 0
    claim = {
        "en": "NATO is secretly moving troops to the Russian border to prepare an attack",
        "ru": "НАТО тайно перебрасывает войска к российской границе, готовя нападение",
    }
    lines = ["id,account,text,timestamp,language"]
    for i in range(4):
        for language, text in claim.items():
            edit = ["", " #truth", " BREAKING", " wake up"][i]
            lines.append(f'{language}{i},{language}acct{i},"{text}{edit}",{1772366400 + i * 30},')
    lines += [
        f'o{i},organic{i},"{text}",{1772366400 + i * 997},'
        for i, text in enumerate(
            [
                "Lovely weather for a walk by the river today",
                "Our team finally shipped the release after months",
                "Погода сегодня отличная, идём гулять в парк",
                "Вчера приготовили борщ по бабушкиному рецепту",
            ]
        )
    ]
    posts = tmp_path / "posts.csv"
    posts.write_text("\n".join(lines) + "\n")
    cases = tmp_path / "cases.csv"
    cases.write_text(
        "date,id,title,countries,keywords,languages,outlets\n"
        "2021-02-18,https://euvsdisinfo.eu/report/nato-attack/,"
        "NATO prepares an attack on Russia from its borders,Russia,NATO,Russian,TASS\n"
    )
    assert run(data_dir, "fimi", "ingest", str(posts)).exit_code == 0
    loaded = run(data_dir, "fimi", "ingest", str(cases))
    assert "1 cases added, 0 already there" in loaded.output
    groups = json.loads(run(data_dir, "fimi", "dedup", "--format", "json").output)
    assert sorted(len(g["post_ids"]) for g in groups) == [4, 4]
    found = json.loads(run(data_dir, "fimi", "narratives", "--format", "json").output)
    assert len(found) == 1
    assert found[0]["languages"] == {"en": 4, "ru": 4}  # detected: the column was empty
    assert found[0]["cases"][0]["case_id"] == "https://euvsdisinfo.eu/report/nato-attack/"
    table = run(data_dir, "fimi", "narratives")
    # The case title is in the table (Rich wraps it at word boundaries in a narrow terminal).
    assert table.exit_code == 0 and "borders" in table.output
    late = run(data_dir, "fimi", "coordination", "--window", "2 days")
    assert late.exit_code != 0 and "--window '2 days'" in late.output
    bad = run(data_dir, "fimi", "dedup", "--threshold", "2")
    assert bad.exit_code != 0 and "--threshold 2.0" in bad.output
