"""Organisations of the industry desk: the EDF participants (the real calls file and small
made-up ones), partner companies from CSV and YAML, how the two merge in the node's
store, and ``accord industry load | companies``."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from accord.cli.app import app
from accord.core.errors import InvalidInput
from accord.desks.industry.companies import read_companies
from accord.desks.industry.edf_network import read_edf
from accord.desks.industry.organisations import (
    Network,
    Organisation,
    find_organisations,
    store_network,
    stored_network,
)
from accord.desks.industry.questions import Controller
from tests.data import SHARED_DATA

EDF_CALLS = SHARED_DATA / "industry" / "edf_calls.json.gz"
LEONARDO = "998627417"
INDRA = "999959130"
runner = CliRunner()


def participant(pic: str, name: str, country: str, **extra: Any) -> dict[str, Any]:
    return {
        "pic": pic,
        "organization_name": name,
        "country_code": country,
        "type": "PRC",
        "sme": False,
        "role": "participant",
        **extra,
    }


def project(project_id: str, members: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "project_id": project_id,
        "title": f"Project {project_id}",
        "acronym": f"P{project_id}",
        "objective": "",
        "start_date": "2023-01-01T00:00:00.000+0100",
        "participants": members,
        **extra,
    }


def made_up_calls() -> dict[str, Any]:
    """Three projects: Alpha and Beta in all three, Gamma (Greece, written EL) in two."""

    def alpha() -> dict[str, Any]:
        return participant("100", "Alpha Systems", "FR")

    def beta(sme: bool = True) -> dict[str, Any]:
        return participant("200", "Beta  Werke", "DE", sme=sme)

    def gamma() -> dict[str, Any]:
        return participant("300", "Gamma Hellas", "EL", type="REC")

    return {
        "calls": {
            "EDF-T-RADAR": {
                "title": "Advanced radar technologies",
                "description": "<p>Radar &amp; <b>electronic warfare</b>.</p>",
                "projects": [
                    project(
                        "1",
                        [alpha(), beta(), gamma()],
                        objective="An AESA radar with electronic warfare modes; radar tests.",
                    ),
                    project("2", [alpha(), beta(sme=False)], start_date="2024-06-01"),
                ],
            },
            "EDF-T-NAVAL": {
                "title": "Naval mine countermeasures",
                "description": "",
                "projects": [project("3", [gamma(), beta(), alpha()])],
            },
            "EDF-T-STUB": {"title": "Not funded yet", "description": "", "projects": []},
        }
    }


def write_calls(folder: Path, document: dict[str, Any], name: str = "calls.json") -> Path:
    path = folder / name
    raw = json.dumps(document).encode()
    path.write_bytes(gzip.compress(raw) if name.endswith(".gz") else raw)
    return path


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def company(identifier: str, **extra: Any) -> Organisation:
    fields: dict[str, Any] = {
        "id": identifier,
        "name": f"Company {identifier}",
        "country": "KR",
        "type": "PRC",
        "sme": False,
        "control_chain": (),
        "capabilities": frozenset({"artillery_fires"}),
        "keywords": frozenset(),
        "certifications": (),
        "projects": (),
        "topics": (),
        "source": "partner",
    }
    fields.update(extra)
    return Organisation(**fields)


# The real EDF calls file


def test_the_real_edf_file_has_791_organisations_in_76_projects() -> None:
    # How fast it is read is benchmarks/consortium.py's to measure, not a test's.
    network = read_edf(EDF_CALLS)
    organisations = network.organisations
    assert len(organisations) == 791 and len(network.by_id()) == 791
    assert len(network.projects()) == 76
    assert sum(len(o.projects) for o in organisations) == 1647
    assert len({topic for o in organisations for topic in o.topics}) == 63
    leonardo = network.by_id()[LEONARDO]
    assert leonardo.name == "LEONARDO - SOCIETA PER AZIONI" and leonardo.country == "IT"
    assert len(leonardo.projects) == 37
    assert max(len(o.projects) for o in organisations) == 37
    assert sum(1 for o in organisations if len(o.projects) > 1) == 246
    # Greece is GR, and its 82 participations (EL in the file) are all there.
    participations = Counter(o.country for o in organisations for _ in o.projects)
    assert "EL" not in participations and participations["GR"] == 82
    assert participations["FR"] == 271 and participations["NO"] == 84
    assert len(participations) == 28
    assert {o.type for o in organisations} == {"PRC", "REC", "HES", "PUB", "OTH"}
    assert all(o.source == "edf" and o.capabilities and o.keywords for o in organisations)
    assert network.co_participations()[(LEONARDO, INDRA)] == 28


def test_every_real_project_works_on_one_to_ten_capabilities() -> None:
    network = read_edf(EDF_CALLS)
    missile_makers = {o.id for o in network.organisations if "EDF-ASAP-2023-LS-MIS-IPC" in o.topics}
    assert missile_makers and all(
        {"ammunition_missiles", "production_capacity"} <= network.by_id()[pic].capabilities
        for pic in missile_makers
    )
    counts = dict(network.by_id()[LEONARDO].capability_projects)
    assert max(counts.values()) <= 37 and counts["rotorcraft"] >= 1


# Small made-up calls files


@pytest.mark.parametrize("name", ["calls.json", "calls.json.gz"])
def test_el_becomes_gr_and_co_participations_count_shared_projects(
    tmp_path: Path, name: str
) -> None:
    network = read_edf(write_calls(tmp_path, made_up_calls(), name))
    found = network.by_id()
    assert sorted(found) == ["100", "200", "300"]
    assert found["300"].country == "GR" and found["300"].type == "REC"
    assert found["200"].name == "Beta Werke"  # spaces folded
    assert found["100"].projects == ("1", "2", "3")
    assert found["300"].topics == ("EDF-T-RADAR", "EDF-T-NAVAL")
    assert network.co_participations() == {("100", "200"): 3, ("100", "300"): 2, ("200", "300"): 2}


def test_the_sme_flag_is_that_of_the_most_recent_project(tmp_path: Path) -> None:
    network = read_edf(write_calls(tmp_path, made_up_calls()))
    # Beta is an SME in projects 1 and 3 (2023) and not in project 2 (2024).
    assert network.by_id()["200"].sme is False
    assert network.by_id()["100"].sme is False


def test_capabilities_come_from_titles_objectives_and_descriptions(tmp_path: Path) -> None:
    found = read_edf(write_calls(tmp_path, made_up_calls())).by_id()
    # Projects 1 and 2: radar in the call's title (electronic warfare, once in project 1's
    # objective and once in the description, is too little); project 3: naval mine
    # countermeasures, underwater ("naval mine" is longer than "naval").
    assert found["300"].capabilities == {"radar", "underwater"}
    assert dict(found["100"].capability_projects) == {"radar": 2, "underwater": 1}
    assert found["100"].capabilities_ranked() == ["radar", "underwater"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.pop("calls"), "calls"),
        (lambda d: d["calls"]["EDF-T-RADAR"].update(projects="none"), "calls.EDF-T-RADAR.projects"),
        (
            lambda d: d["calls"]["EDF-T-NAVAL"]["projects"][0]["participants"][1].update(
                country_code="XX"
            ),
            "calls.EDF-T-NAVAL.projects[0].participants[1].country_code: 'XX' is no ISO",
        ),
        (
            lambda d: d["calls"]["EDF-T-RADAR"]["projects"][1]["participants"][0].pop("pic"),
            "calls.EDF-T-RADAR.projects[1].participants[0].pic: is missing",
        ),
        (
            lambda d: d["calls"]["EDF-T-RADAR"]["projects"][0]["participants"][2].update(
                type="NGO"
            ),
            "calls.EDF-T-RADAR.projects[0].participants[2].type: 'NGO'",
        ),
        (
            lambda d: d["calls"]["EDF-T-RADAR"]["projects"][0]["participants"][0].update(
                sme="maybe"
            ),
            "calls.EDF-T-RADAR.projects[0].participants[0].sme: 'maybe': true or false",
        ),
    ],
)
def test_a_malformed_calls_file_names_the_file_and_the_field(
    tmp_path: Path, change: Any, field: str
) -> None:
    document = made_up_calls()
    change(document)
    path = write_calls(tmp_path, document)
    with pytest.raises(InvalidInput, match=re.escape(f"{path}: {field}")):
        read_edf(path)


def test_an_unreadable_calls_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="not JSON"):
        read_edf(write(tmp_path, "calls.json", "{calls"))
    with pytest.raises(InvalidInput, match="not a gzip file"):
        read_edf(write(tmp_path, "calls.json.gz", "{}"))
    with pytest.raises(InvalidInput, match="cannot read it"):
        read_edf(tmp_path / "missing.json")


# Partner companies

COMPANIES_CSV = (
    "id,name,country,type,sme,capabilities,keywords,certifications,control_chain\n"
    "hanwha-pl,Hanwha Aerospace Poland,PL,PRC,no,artillery_fires; Ground combat vehicles,"
    'K9 Howitzer;self-propelled,AQAP-2110;ISO 9001,"Hanwha Aerospace (KR, company) > '
    'Hanwha Group (KR)"\n'
)


def test_companies_are_read_from_csv_with_a_chain_of_control(tmp_path: Path) -> None:
    text = COMPANIES_CSV + (
        "\n"  # a blank line is skipped
        'mhi,"Mitsubishi Heavy Industries (MHI)",JP,,yes,naval_surface,,,'
        '"Mitsubishi Group (JP) > Government of Japan (jp, state)"\n'
    )
    hanwha, mhi = read_companies(write(tmp_path, "companies.csv", text))
    assert hanwha.id == "hanwha-pl" and hanwha.country == "PL" and hanwha.type == "PRC"
    assert hanwha.capabilities == {"artillery_fires", "ground_combat"}
    assert hanwha.keywords == {"k9 howitzer", "self-propelled"}
    assert hanwha.certifications == ("AQAP-2110", "ISO 9001")
    assert hanwha.control_chain == (
        Controller("Hanwha Aerospace", "KR", "company"),
        Controller("Hanwha Group", "KR", "company"),
    )
    assert hanwha.source == "partner" and hanwha.projects == () and not hanwha.sme
    assert mhi.name == "Mitsubishi Heavy Industries (MHI)" and mhi.sme and mhi.type == ""
    assert mhi.ultimate_controller == Controller("Government of Japan", "JP", "state")


COMPANIES_YAML = """\
companies:
  - id: hanwha-aero
    name: Hanwha Aerospace
    country: KR
    sme: false
    capabilities: [artillery_fires, propulsion_engines]
    keywords: [K9, gas turbine]
    certifications: [AQAP-2110]
    control_chain:
      - {name: Hanwha Corporation, country: KR, type: company}
      - {name: Hanwha Group, country: KR}
  - id: kongsberg-no
    name: Kongsberg Defence & Aerospace
    country: NO
    capabilities: [air_and_missile_defence]
"""


def test_companies_are_read_from_yaml_with_norway_as_no(tmp_path: Path) -> None:
    hanwha, kongsberg = read_companies(write(tmp_path, "companies.yaml", COMPANIES_YAML))
    assert hanwha.control_chain[-1] == Controller("Hanwha Group", "KR", "company")
    assert hanwha.capabilities == {"artillery_fires", "propulsion_engines"}
    assert hanwha.keywords == {"k9", "gas turbine"} and hanwha.certifications == ("AQAP-2110",)
    assert kongsberg.country == "NO" and kongsberg.control_chain == ()


@pytest.mark.parametrize(
    ("replace", "message"),
    [
        ("country: NO", "line 14: companies[1].country: 'EL' is the EU's code for Greece"),
        ("{name: Hanwha Group, country: KR}", "line 11: companies[0].control_chain[1].country"),
        (
            "[air_and_missile_defence]",
            "line 15: companies[1].capabilities[0]: 'air defense' is no capability term; "
            "nearest: air_and_missile_defence",
        ),
        ("    sme: false", "line 5: companies[0].sme: 'sometimes': true or false"),
        ("  - id: kongsberg-no", "line 12: companies[1].id: 'hanwha-aero' is also the id on"),
        ("    keywords: [K9, gas turbine]", "line 7: companies[0].capabilites: no such field"),
    ],
)
def test_a_yaml_error_names_the_file_line_and_field(
    tmp_path: Path, replace: str, message: str
) -> None:
    by = {
        "country: NO": "country: EL",
        "{name: Hanwha Group, country: KR}": "{name: Hanwha Group, country: Korea}",
        "[air_and_missile_defence]": "[air defense]",
        "    sme: false": "    sme: sometimes",
        "  - id: kongsberg-no": "  - id: hanwha-aero",
        "    keywords: [K9, gas turbine]": "    capabilites: [cyber]",
    }[replace]
    path = write(tmp_path, "companies.yaml", COMPANIES_YAML.replace(replace, by))
    with pytest.raises(InvalidInput, match=re.escape(f"{path}, {message}")):
        read_companies(path)


def test_an_unknown_capability_names_the_nearest_term(tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", "id,name,country,capabilities\nx,X,KR,cyber;anti-submarine\n")
    with pytest.raises(InvalidInput, match=r"line 2: capabilities\[1\]: 'anti-submarine' .*"):
        read_companies(path)
    with pytest.raises(InvalidInput, match="nearest: air_and_missile_defence"):
        read_companies(
            write(tmp_path, "d.csv", "id,name,country,capabilities\nx,X,KR,air defence\n")
        )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id,name\nx,X\n", ", line 1: country: the header has no such column"),
        ("id,name,country,certification\n", ", line 1: certification: no such column (did you"),
        ("id,name,country\nx,X,KR\ny,,JP\n", ", line 3: name: is missing"),
        ("id,name,country\nx,X,KR,extra\n", ", line 2: 4 cells, and the header has 3 columns"),
        ("id,name,country\n", ": no companies in it"),
        (
            'id,name,country,control_chain\nx,X,KR,"Hanwha, KR"\n',
            ", line 2: control_chain[0]: 'Hanwha, KR': write each controller as",
        ),
        (
            'id,name,country,control_chain\nx,X,KR,"Hanwha (KR) > Group (KR, family)"\n',
            ", line 2: control_chain[1].type: 'family': one of company, state",
        ),
        (
            'id,name,country,type\na,A,KR,PRC\n"b\nb",B,KR,XYZ\n',  # a cell over two lines
            ", line 3: type: 'XYZ': one of PRC, REC, HES, PUB, OTH, or empty",
        ),
    ],
)
def test_a_csv_error_names_the_file_line_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, "companies.csv", text)
    with pytest.raises(InvalidInput, match=re.escape(f"{path}{message}")):
        read_companies(path)


def test_a_company_file_needs_a_known_suffix(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"\.csv, \.yaml, \.yml or \.json"):
        read_companies(write(tmp_path, "companies.txt", COMPANIES_CSV))


# Merging in the node's store


def test_nothing_is_stored_before_the_first_load(tmp_path: Path) -> None:
    assert stored_network(tmp_path / "industry") == Network(())


def test_loading_edf_replaces_the_edf_part_and_keeps_the_partners(tmp_path: Path) -> None:
    folder = tmp_path / "industry"
    edf = read_edf(write_calls(tmp_path, made_up_calls()))
    store_network(folder, edf)
    store_network(folder, Network((company("hanwha"),)))
    assert stored_network(folder).by_id().keys() == {"100", "200", "300", "hanwha"}
    smaller = made_up_calls()
    smaller["calls"].pop("EDF-T-NAVAL")
    smaller["calls"]["EDF-T-RADAR"]["projects"].pop(0)
    store_network(folder, read_edf(write_calls(tmp_path, smaller)))
    network = stored_network(folder)
    assert network.by_id().keys() == {"100", "200", "hanwha"}
    assert network.by_id()["100"].projects == ("2",)
    assert network.co_participations() == {("100", "200"): 1}
    assert [p.name for p in folder.iterdir()] == ["organisations.json"]  # no partial file left


def test_companies_are_upserted_by_id(tmp_path: Path) -> None:
    folder = tmp_path / "industry"
    store_network(folder, Network((company("a"), company("b"))))
    store_network(folder, Network((company("b", name="B renamed", country="JP"), company("c"))))
    found = stored_network(folder).by_id()
    assert sorted(found) == ["a", "b", "c"]
    assert found["b"].name == "B renamed" and found["b"].country == "JP"


def test_a_partner_id_that_is_an_edf_pic_is_refused_and_nothing_is_stored(tmp_path: Path) -> None:
    folder = tmp_path / "industry"
    store_network(folder, read_edf(write_calls(tmp_path, made_up_calls())))
    before = (folder / "organisations.json").read_bytes()
    with pytest.raises(InvalidInput, match=r"company 200 .*EDF PIC of Beta Werke \(DE\)"):
        store_network(folder, Network((company("x"), company("200"))))
    assert (folder / "organisations.json").read_bytes() == before


def test_an_edf_reload_refuses_a_pic_a_partner_company_already_uses(tmp_path: Path) -> None:
    folder = tmp_path / "industry"
    store_network(folder, Network((company("300"),)))
    with pytest.raises(InvalidInput, match=r"stored partner company 300 .*Gamma Hellas"):
        store_network(folder, read_edf(write_calls(tmp_path, made_up_calls())))


def test_an_amendment_adds_facts_to_the_edf_organisation_and_survives_a_reload(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "industry"
    calls = write_calls(tmp_path, made_up_calls())
    with pytest.raises(InvalidInput, match="no EDF organisation has that PIC"):
        store_network(folder, Network((company("200", amends_edf=True),)))
    store_network(folder, read_edf(calls))
    facts = company(
        "200",
        amends_edf=True,
        control_chain=(Controller("Beta Holding", "US", "company"),),
        capabilities=frozenset({"cyber"}),
        certifications=("AQAP-2110",),
    )
    store_network(folder, Network((facts,)))
    store_network(folder, read_edf(calls))  # a reload keeps the amendment
    network = stored_network(folder)
    beta = network.by_id()["200"]
    assert len(network.organisations) == 3 and beta.source == "edf"
    assert beta.name == "Beta Werke" and beta.country == "DE" and beta.projects == ("1", "2", "3")
    assert beta.ultimate_controller == Controller("Beta Holding", "US", "company")
    assert beta.capabilities == {"radar", "underwater", "cyber"}
    assert beta.certifications == ("AQAP-2110",)


def test_find_organisations_filters_and_ranks_by_projects_on_the_capability(
    tmp_path: Path,
) -> None:
    network = Network(
        (
            *read_edf(write_calls(tmp_path, made_up_calls())).organisations,
            company("k9", capabilities=frozenset({"radar"}), keywords=frozenset({"howitzer"})),
        )
    )
    radar = find_organisations(network, capabilities=["radar"])
    assert [o.id for o in radar] == ["100", "200", "300", "k9"]  # 2, 2, 1, 0 radar projects
    assert [o.id for o in find_organisations(network, countries=["GR", "KR"])] == ["300", "k9"]
    assert [o.id for o in find_organisations(network, source="partner")] == ["k9"]
    assert [o.id for o in find_organisations(network, text="HOWITZER")] == ["k9"]
    assert find_organisations(network, capabilities=["radar", "cyber"]) == []


# The commands


def run(data_dir: Path, *args: str) -> Any:
    return runner.invoke(app, [*args, "--data-dir", str(data_dir)])


def test_load_then_companies_through_the_cli(tmp_path: Path) -> None:
    data_dir = tmp_path / "node"
    assert run(data_dir, "init").exit_code == 0
    calls = write_calls(tmp_path, made_up_calls(), "calls.json.gz")
    loaded = run(data_dir, "industry", "load", str(calls))
    assert loaded.exit_code == 0, loaded.output
    assert "3 organisations in 3 EDF projects of 2 calls (8 participations)" in loaded.output
    assert "2 PRC, 1 REC" in loaded.output and "0 partner companies kept" in loaded.output

    csv_file = write(tmp_path, "companies.csv", COMPANIES_CSV)
    added = run(data_dir, "industry", "companies", str(csv_file))
    assert added.exit_code == 0, added.output
    assert "1 company, 1 added and 0 replaced" in added.output
    assert "the network has 4 organisations, 1 from partners" in added.output
    again = run(data_dir, "industry", "companies", str(csv_file))
    assert "0 added and 1 replaced" in again.output

    listed = run(data_dir, "industry", "companies", "--capability", "artillery_fires")
    assert listed.exit_code == 0, listed.output
    assert "hanwha-pl" in listed.output and "Hanwha Group" in listed.output  # the ultimate
    assert "AQAP-2110" in listed.output and "1 of 1 organisations" in listed.output

    everything = json.loads(run(data_dir, "industry", "companies", "--format", "json").output)
    assert [o["id"] for o in everything] == ["100", "200", "300", "hanwha-pl"]
    assert everything[2]["country"] == "GR" and everything[3]["source"] == "partner"
    limited = run(data_dir, "industry", "companies", "--country", "GR,DE", "--limit", "1")
    assert "1 of 2 organisations (--limit 0 shows all)" in limited.output
    assert "Beta Werke" in limited.output and "Gamma" not in limited.output


def test_the_commands_report_bad_input_in_one_line(tmp_path: Path) -> None:
    data_dir = tmp_path / "node"
    assert run(data_dir, "init").exit_code == 0
    empty = run(data_dir, "industry", "companies")
    assert empty.exit_code == 0 and "no organisations yet" in empty.output
    wrong = run(data_dir, "industry", "companies", "--capability", "sonar stuff")
    assert wrong.exit_code == 1 and "--capability: 'sonar stuff' is no capability term" in (
        wrong.output
    )
    greece = run(data_dir, "industry", "companies", "--country", "EL")
    assert greece.exit_code == 1 and "ISO 3166-1 writes GR" in greece.output
    broken = write(tmp_path, "bad.csv", "id,name,country\nx,X,XX\n")
    failed = run(data_dir, "industry", "companies", str(broken))
    assert failed.exit_code == 1
    assert f"{broken}, line 2: country: 'XX' is no ISO 3166-1 alpha-2" in " ".join(
        failed.output.split()
    )


def test_the_documented_company_examples_read(tmp_path: Path) -> None:
    docs = Path(__file__).resolve().parents[1] / "docs" / "industry.md"
    section = (
        docs.read_text(encoding="utf-8")
        .split("## Organisations and capabilities")[1]
        .split("\n## ")[0]
    )
    blocks = dict(re.findall(r"```(csv|yaml)\n(.*?)```", section, flags=re.S))
    (hanwha,) = read_companies(write(tmp_path, "companies.csv", blocks["csv"]))
    assert hanwha.ultimate_controller == Controller("Hanwha Group", "KR", "company")
    (mhi,) = read_companies(write(tmp_path, "companies.yaml", blocks["yaml"]))
    assert mhi.capabilities == {"naval_surface", "air_and_missile_defence"}
