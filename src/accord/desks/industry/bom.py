"""A bill of materials, read from YAML or JSON: a system, its subsystems, their components
with supplier, origin and cost, and the alternatives each could be bought from.

The format (docs/industry.md, "Supply options")::

    system:
      name: tracked self-propelled howitzer, licence-built
      estimated_value: 4400000          # whole units; EDIRPA's base
      licence: optional text
      subsystems:
        - name: hull and automotive
          components:
            - name: transmission
              supplier: Transmission maker K
              origin: KR                # ISO 3166-1 alpha-2 (Greece is GR, not EL)
              cost: 400000              # whole units
              alternatives:             # optional
                - {supplier: Transmission maker D, origin: DE, cost: 470000}

The file is read with YAML 1.2 booleans, so a bare ``NO`` is Norway. Every error names the
file, the line where it can, and the field (``system.subsystems[1].components[0].origin``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from accord.core.errors import InvalidInput
from accord.desks.industry import yaml12
from accord.desks.industry.questions import country_problem

EXAMPLES = ("howitzer",)


@dataclass(frozen=True)
class Option:
    """Where a component can be bought: a supplier, the origin and the cost."""

    supplier: str
    origin: str  # ISO 3166-1 alpha-2
    cost: int  # whole units


@dataclass(frozen=True)
class Part:
    """One component of the bill of materials: the option bought now and the alternatives.

    ``name``, ``origin`` and ``cost`` are those of the current option, so a part is what
    :func:`accord.desks.industry.origin.origin_share` counts."""

    name: str
    subsystem: str
    current: Option
    alternatives: tuple[Option, ...]
    field: str  # where it is in the file: system.subsystems[0].components[1]

    @property
    def origin(self) -> str:
        return self.current.origin

    @property
    def cost(self) -> int:
        return self.current.cost

    @property
    def supplier(self) -> str:
        return self.current.supplier

    @property
    def options(self) -> tuple[Option, ...]:
        """The current option first, then the alternatives."""
        return (self.current, *self.alternatives)


@dataclass(frozen=True)
class Subsystem:
    name: str
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class BillOfMaterials:
    """A system and its components."""

    name: str
    estimated_value: int  # whole units: the end product's estimated value
    licence: str
    subsystems: tuple[Subsystem, ...]
    source: str  # the file it was read from

    @property
    def parts(self) -> tuple[Part, ...]:
        """Every component, subsystem by subsystem."""
        return tuple(part for subsystem in self.subsystems for part in subsystem.parts)

    @property
    def component_cost(self) -> int:
        """The total cost of the current components, whole units."""
        return sum(part.cost for part in self.parts)


def read_bom(path: Path) -> BillOfMaterials:
    """The bill of materials in a YAML or JSON file."""
    return parse_bom(yaml12.read_text(path), str(path))


def example_bom(name: str = "howitzer") -> BillOfMaterials:
    """A packaged worked example (``data/examples/<name>.yaml``)."""
    if name not in EXAMPLES:
        raise InvalidInput(f"example {name!r}: one of {', '.join(EXAMPLES)}")
    return parse_bom(example_text(name), f"examples/{name}.yaml")


def example_text(name: str = "howitzer") -> str:
    """The text of a packaged example."""
    folder = resources.files("accord.desks.industry") / "data" / "examples"
    return folder.joinpath(f"{name}.yaml").read_text(encoding="utf-8")


def parse_bom(text: str, name: str = "bom") -> BillOfMaterials:
    """A bill of materials from its text; InvalidInput naming `name`, the line and the field."""
    fields = _Fields(name, yaml12.load(text, name), _lines(text))
    root = fields.mapping(fields.document, "")
    system = fields.mapping(root.get("system"), "system")
    system_name = fields.text(system, "system.name")
    estimated_value = fields.money(system, "system.estimated_value", positive=True)
    licence = system.get("licence")
    if licence is not None and not isinstance(licence, str):
        raise fields.fail("system.licence", "expected text")
    subsystems = tuple(
        _subsystem(item, f"system.subsystems[{n}]", fields)
        for n, item in enumerate(fields.sequence(system, "system.subsystems"))
    )
    _unique_names(subsystems, fields)
    return BillOfMaterials(system_name, estimated_value, licence or "", subsystems, source=name)


def _subsystem(value: Any, where: str, fields: _Fields) -> Subsystem:
    subsystem = fields.mapping(value, where)
    name = fields.text(subsystem, f"{where}.name")
    parts = tuple(
        _part(item, f"{where}.components[{n}]", name, fields)
        for n, item in enumerate(fields.sequence(subsystem, f"{where}.components"))
    )
    return Subsystem(name=name, parts=parts)


def _part(value: Any, where: str, subsystem: str, fields: _Fields) -> Part:
    component = fields.mapping(value, where)
    alternatives = component.get("alternatives") or []
    if not isinstance(alternatives, list):
        raise fields.fail(f"{where}.alternatives", "expected a list")
    return Part(
        name=fields.text(component, f"{where}.name"),
        subsystem=subsystem,
        current=_option(component, where, fields),
        alternatives=tuple(
            _option(
                fields.mapping(item, f"{where}.alternatives[{n}]"),
                f"{where}.alternatives[{n}]",
                fields,
            )
            for n, item in enumerate(alternatives)
        ),
        field=where,
    )


def _option(item: Mapping[str, Any], where: str, fields: _Fields) -> Option:
    return Option(
        supplier=fields.text(item, f"{where}.supplier"),
        origin=fields.country(item, f"{where}.origin"),
        cost=fields.money(item, f"{where}.cost"),
    )


def _unique_names(subsystems: tuple[Subsystem, ...], fields: _Fields) -> None:
    seen: dict[str, str] = {}
    for part in (part for subsystem in subsystems for part in subsystem.parts):
        if part.name in seen:
            raise fields.fail(
                f"{part.field}.name", f"{part.name!r} is also {seen[part.name]}; names are unique"
            )
        seen[part.name] = part.field


def _lines(text: str) -> dict[str, int]:
    """The line (1-based) of each field path in the document, for error messages."""
    found: dict[str, int] = {}
    # compose builds nodes with their positions and constructs no objects, so it is safe;
    # the text already loaded, so it composes.
    _walk(yaml.compose(text, Loader=yaml.SafeLoader), "", found)
    return found


def _walk(node: yaml.Node | None, path: str, found: dict[str, int]) -> None:
    if node is None:
        return
    found[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = f"{path}.{key.value}" if path else str(key.value)
            _walk(value, child, found)
            found[child] = key.start_mark.line + 1  # the key's line, for a block value too
    elif isinstance(node, yaml.SequenceNode):
        for number, item in enumerate(node.value):
            _walk(item, f"{path}[{number}]", found)


class _Fields:
    """Reads typed fields, naming the file, the line and the field's path in every error."""

    def __init__(self, name: str, document: Any, lines: Mapping[str, int]):
        self.name = name
        self.document = document
        self.lines = lines

    def fail(self, where: str, problem: str) -> InvalidInput:
        line = self._line(where)
        place = f"{self.name}, line {line}" if line else self.name
        return InvalidInput(f"{place}: {where}: {problem}" if where else f"{place}: {problem}")

    def _line(self, where: str) -> int | None:
        # A missing field has no line: name its parent's.
        while where:
            if where in self.lines:
                return self.lines[where]
            where = where.rsplit(".", 1)[0] if "." in where else ""
        return None

    def mapping(self, value: Any, where: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(
                where, "expected a mapping of fields" if value is not None else "is missing"
            )
        return value

    def sequence(self, parent: Mapping[str, Any], where: str) -> list[Any]:
        value = parent.get(_key(where))
        if not isinstance(value, list) or not value:
            raise self.fail(where, "expected a non-empty list")
        return value

    def text(self, parent: Mapping[str, Any], where: str) -> str:
        value = parent.get(_key(where))
        if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
            raise self.fail(where, "is missing")
        return str(value).strip()

    def country(self, parent: Mapping[str, Any], where: str) -> str:
        value = parent.get(_key(where))
        problem = country_problem(value)
        if problem:
            raise self.fail(where, problem)
        return str(value).upper()

    def money(self, parent: Mapping[str, Any], where: str, positive: bool = False) -> int:
        value = parent.get(_key(where))
        least = 1 if positive else 0
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise self.fail(where, f"{value!r}: an amount in whole units ({least} or more)")
        return value


def _key(where: str) -> str:
    return where.rsplit(".", 1)[-1]
