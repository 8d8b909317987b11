"""Companies a partner adds to the network (Japanese and Korean firms, say), from CSV or
YAML (docs/industry.md, "Organisations and capabilities", has the format).

Fields: ``id``, ``name``, ``country`` (ISO 3166-1 alpha-2), ``type`` (an EDF
organisation type, optional), ``sme``, ``capabilities`` (vocabulary terms), ``keywords``,
``certifications``, ``control_chain`` and ``amends_edf``. In CSV a list is one cell with
``;`` between items, and a chain of control is one cell from the direct controller up:
``Hanwha Aerospace (KR, company) > Hanwha Group (KR)``. Every error names the file, the
line and the field.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import process

from accord.core.errors import InvalidInput
from accord.desks.industry import yaml12
from accord.desks.industry.capabilities import vocabulary
from accord.desks.industry.organisations import ORGANISATION_TYPES, Organisation
from accord.desks.industry.questions import CONTROLLER_TYPES, Controller, country_code

COMPANY_FIELDS = (
    "id",
    "name",
    "country",
    "type",
    "sme",
    "capabilities",
    "keywords",
    "certifications",
    "control_chain",
    "amends_edf",
)
_REQUIRED = ("id", "name", "country")
_TRUE = ("true", "yes", "y", "1")
_FALSE = ("false", "no", "n", "0", "")
_PARENT = re.compile(r"(\.[^.\[]*|\[\d+\])$")
# "Name (KR, company)": the name is as short as it can be, so that a name may hold
# parentheses of its own ("Mitsubishi Heavy Industries (MHI) (JP)").
_LINK = re.compile(r"(?P<name>.+?)\s*\((?P<country>[^,()]*)(?:,(?P<type>[^()]*))?\)\s*")


def read_companies(path: Path) -> list[Organisation]:
    """The companies of a CSV, YAML or JSON file (by its suffix), as partner
    organisations; InvalidInput naming the file, the line and the field of the first
    problem, or the two lines that give one id."""
    text = yaml12.read_text(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(text, str(path))
    elif suffix in (".yaml", ".yml", ".json"):
        rows = _yaml_rows(text, str(path))
    else:
        raise InvalidInput(f"{path}: a company file is .csv, .yaml, .yml or .json")
    if not rows:
        raise InvalidInput(f"{path}: no companies in it")
    companies: list[Organisation] = []
    seen: dict[str, int] = {}
    for place, values in rows:
        company = _company(values, place)
        if company.id in seen:
            raise place.fail("id", f"{company.id!r} is also the id on line {seen[company.id]}")
        seen[company.id] = place.line
        companies.append(company)
    return companies


@dataclass(frozen=True)
class _Place:
    """Where a company is in its file, to name in errors."""

    file: str
    line: int
    prefix: str = ""  # "companies[2]." in YAML
    lines: Mapping[str, int] | None = None  # the line of each field path, in YAML

    def where(self, field: str) -> str:
        """The file, the line of `field` (of the company, if not known) and the field."""
        line = self.line
        path = field
        while self.lines and path:
            if path in self.lines:
                line = self.lines[path]
                break
            parent = _PARENT.sub("", path)  # control_chain[1].country -> control_chain[1]
            path = parent if parent != path else ""
        label = f"{self.prefix}{field}".rstrip(".")
        return f"{self.file}, line {line}: {label}" if label else f"{self.file}, line {line}"

    def fail(self, field: str, problem: str) -> InvalidInput:
        return InvalidInput(f"{self.where(field)}: {problem}")


def _csv_rows(text: str, name: str) -> list[tuple[_Place, dict[str, Any]]]:
    reader = csv.reader(io.StringIO(text))
    header = [column.strip() for column in next(reader, [])]
    _check_fields(header, _Place(name, 1), "column")
    rows: list[tuple[_Place, dict[str, Any]]] = []
    start = reader.line_num + 1
    for cells in reader:  # a blank line is [], and a quoted cell may span lines
        place = _Place(name, start)
        start = reader.line_num + 1
        if len(cells) > len(header):
            raise place.fail("", f"{len(cells)} cells, and the header has {len(header)} columns")
        values = {column: cell.strip() for column, cell in zip(header, cells, strict=False)}
        if any(values.values()):
            rows.append((place, values))
    return rows


def _yaml_rows(text: str, name: str) -> list[tuple[_Place, dict[str, Any]]]:
    document = yaml12.load(text, name)
    nested = isinstance(document, dict)
    items = document.get("companies") if nested else document
    if not isinstance(items, list):
        raise InvalidInput(f"{name}: expected a list of companies (or `companies:` and one)")
    rows: list[tuple[_Place, dict[str, Any]]] = []
    for n, (item, node) in enumerate(zip(items, _item_nodes(text, nested), strict=True)):
        lines: dict[str, int] = {}
        _field_lines(node, "", lines)
        place = _Place(name, node.start_mark.line + 1, f"companies[{n}].", lines)
        if not isinstance(item, dict):
            raise place.fail("", "expected a mapping of fields")
        _check_fields([str(key) for key in item], place, "field")
        rows.append((place, item))
    return rows


def _item_nodes(text: str, nested: bool) -> list[yaml.Node]:
    """The YAML nodes of the companies, which know their lines (the loaded document
    does not)."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if nested and isinstance(root, yaml.MappingNode):
        root = next(value for key, value in root.value if key.value == "companies")
    return list(root.value) if isinstance(root, yaml.SequenceNode) else []


def _field_lines(node: yaml.Node, path: str, lines: dict[str, int]) -> None:
    """The line of every field path under `node` ("control_chain[1].country": 9)."""
    if path:
        lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _field_lines(value, f"{path}.{key.value}" if path else str(key.value), lines)
    elif isinstance(node, yaml.SequenceNode):
        for n, value in enumerate(node.value):
            _field_lines(value, f"{path}[{n}]", lines)


def _check_fields(fields: list[str], place: _Place, kind: str) -> None:
    for field in fields:
        if field not in COMPANY_FIELDS:
            nearest = process.extractOne(field, COMPANY_FIELDS)
            hint = f" (did you mean {nearest[0]}?)" if nearest and nearest[1] >= 60 else ""
            raise place.fail(
                field, f"no such {kind}{hint}; the {kind}s are {', '.join(COMPANY_FIELDS)}"
            )
    if kind == "column":
        missing = [field for field in _REQUIRED if field not in fields]
        if missing:
            raise place.fail(
                missing[0],
                "the header has no such column; a company file needs id, name and country",
            )


def _company(values: Mapping[str, Any], place: _Place) -> Organisation:
    kind = _text(values, "type", place, required=False).upper()
    if kind not in ("", *ORGANISATION_TYPES):
        raise place.fail("type", f"{kind!r}: one of {', '.join(ORGANISATION_TYPES)}, or empty")
    terms = vocabulary()
    return Organisation(
        id=_text(values, "id", place),
        name=_text(values, "name", place),
        country=country_code(_text(values, "country", place), place.where("country")),
        type=kind,
        sme=_flag(values, "sme", place),
        control_chain=_chain(values.get("control_chain"), place),
        capabilities=frozenset(
            terms.term(item, place.where(f"capabilities[{n}]"))
            for n, item in enumerate(_items(values, "capabilities", place))
        ),
        keywords=frozenset(
            " ".join(item.lower().split()) for item in _items(values, "keywords", place)
        ),
        certifications=tuple(dict.fromkeys(_items(values, "certifications", place))),
        projects=(),
        topics=(),
        source="partner",
        amends_edf=_flag(values, "amends_edf", place),
    )


def _text(values: Mapping[str, Any], field: str, place: _Place, required: bool = True) -> str:
    value = values.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise place.fail(field, "is missing")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise place.fail(field, f"{value!r}: expected text")
    return " ".join(str(value).split())


def _flag(values: Mapping[str, Any], field: str, place: _Place) -> bool:
    value = values.get(field)
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
        return value.strip().lower() in _TRUE
    raise place.fail(field, f"{value!r}: true or false")


def _items(values: Mapping[str, Any], field: str, place: _Place) -> list[str]:
    """A list field: a YAML list, or text with ``;`` between the items."""
    value = values.get(field)
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(";")
    if not isinstance(value, list) or not all(isinstance(i, str | int) for i in value):
        raise place.fail(field, "expected a list of texts (in CSV: items separated by ;)")
    return [" ".join(str(item).split()) for item in value if str(item).strip()]


def _chain(value: Any, place: _Place) -> tuple[Controller, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        value = [_link(text, place, n) for n, text in enumerate(value.split(">"))]
    if not isinstance(value, list):
        raise place.fail("control_chain", "expected a list of controllers")
    return tuple(_controller(item, place, n) for n, item in enumerate(value))


def _link(text: str, place: _Place, n: int) -> dict[str, str]:
    found = _LINK.fullmatch(text.strip())
    if found is None:
        raise place.fail(
            f"control_chain[{n}]",
            f"{text.strip()!r}: write each controller as Name (country) or Name (country, "
            "company|state), from the direct one up, with > between them",
        )
    return {
        "name": found["name"],
        "country": found["country"].strip(),
        "type": (found["type"] or "").strip() or "company",
    }


def _controller(item: Any, place: _Place, n: int) -> Controller:
    where = f"control_chain[{n}]"
    if not isinstance(item, dict):
        raise place.fail(where, "expected a mapping of name, country and type")
    kind = item.get("type") or "company"
    if kind not in CONTROLLER_TYPES:
        raise place.fail(f"{where}.type", f"{kind!r}: one of {', '.join(CONTROLLER_TYPES)}")
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise place.fail(f"{where}.name", "is missing")
    return Controller(
        name=" ".join(name.split()),
        country=country_code(item.get("country"), place.where(f"{where}.country")),
        type=str(kind),
    )
