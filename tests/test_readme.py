"""The README's examples run as written."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from accord.core.node import Node
from accord.core.principals import Role
from accord.core.queries import ObjectQuery
from accord.core.settings import Settings
from accord.core.signing import verify_object
from accord.desks.industry import yaml12
from accord.desks.industry.engine import assess
from accord.desks.industry.questions import parse_question
from accord.desks.industry.rules import rule_book
from tests.live_server import free_port, live_server

README = Path(__file__).resolve().parents[1] / "README.md"


def python_block_after(heading: str) -> str:
    """The first ```python block of the README section under `heading`."""
    section = README.read_text().split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert found, f"no python example under '## {heading}'"
    return found.group(1)


def test_sharing_over_taxii_snippet_runs_against_a_live_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    snippet = python_block_after("Sharing over TAXII")
    with live_server(tmp_path_factory.mktemp("readme")) as server:
        server.add_user("jp-analyst", "a long passphrase", "JP", Role.ANALYST)
        code = snippet.replace("http://127.0.0.1:8000", server.base_url)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(code, "README.md (Sharing over TAXII)", "exec"), {})
    lines = printed.getvalue().splitlines()
    assert lines[0] == "complete 1"
    assert "indicator--0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d Loader C2" in lines[1:]


def test_the_partnership_walkthrough_runs_and_each_node_holds_its_share(
    tmp_path: Path,
) -> None:
    section = README.read_text().split("## Running a partnership\n", 1)[1].split("\n## ", 1)[0]
    script = re.search(r"```bash\n(.*?)```", section, re.DOTALL)
    assert script, "no bash example under '## Running a partnership'"
    code = script.group(1)
    for fixed in ("8101", "8102", "8103"):  # free ports, so parallel tests never collide
        code = code.replace(f"echo {fixed} ", f"echo {free_port()} ")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ACCORD_")}
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment['PATH']}"
    environment["COLUMNS"] = "200"
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", code],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    names = {
        "EU": {"Phishing of MOFA staff", "Loader C2 seen in Busan", "Source-sensitive lead"},
        "JP": {"Phishing of MOFA staff", "DPRK IT-worker front"},
        "KR": {"Loader C2 seen in Busan", "DPRK IT-worker front"},
    }
    names["EU"].add("DPRK IT-worker front")
    keys, held = {}, {}
    for partner in names:
        node = Node.open(Settings(data_dir=tmp_path / "nodes" / partner, home_partner=partner))
        keys[partner] = node.public_key()
        query = ObjectQuery(types=("indicator",), versions="all")
        held[partner] = node.store.objects(node.reader(), query)
        node.close()
    for partner, wanted in names.items():
        assert sorted(o.body["name"] for o in held[partner]) == sorted(wanted), partner
        for stored in held[partner]:
            if stored.owner != partner:
                assert verify_object(stored.body, keys) == stored.owner
    for line in ("Phishing of MOFA staff", "DPRK IT-worker front"):
        assert line in done.stdout


def test_the_industry_example_answer_is_what_the_engine_says() -> None:
    section = README.read_text().split("## Industry desk\n", 1)[1].split("\n## ", 1)[0]
    question_text = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    answer_text = re.search(r"```json\n(.*?)```", section, re.DOTALL)
    assert question_text and answer_text, "the industry section lost its example"
    document = yaml12.load(question_text.group(1), "README.md")
    actual = assess(parse_question(document, "README.md"), "edf", on=dt.date(2026, 11, 30))
    shown = json.loads(answer_text.group(1))
    answer = actual.as_json()
    assert {key: answer[key] for key in shown if key != "rules"} == {
        key: value for key, value in shown.items() if key != "rules"
    }
    by_id = {rule["id"]: rule for rule in answer["rules"]}
    assert [by_id[rule["id"]] for rule in shown["rules"]] == shown["rules"]


def test_the_industry_rules_table_is_the_rule_book() -> None:
    section = README.read_text().split("## Industry desk\n", 1)[1].split("\n## ", 1)[0]
    rows = [line.split(" | ") for line in section.splitlines() if line.startswith("| ")]
    listed = {row[0].strip("| "): (row[3].strip("* "), row[4].strip(" |")) for row in rows[2:]}
    statuses = {"text_read": "text read", "secondary": "secondary", "not_verified": "not verified"}
    assert listed == {
        rule.id: (statuses[rule.status], ", ".join(rule.sources) or "—")
        for rule in rule_book().rules
    }
