"""Rule test cases as data (the OpenFisca habit), and their runner (``cbec rules test``).

A case file is a YAML list; each case names a calculator (``kind``), a date, inputs, and
either ``expected`` outputs (within ``tolerance``) or the text an ``error`` must contain.
Keys of ``expected`` may reach into lists with dots: ``lines.2.total_tax`` is the second
line's tax; ``{contains: text}`` / ``{not_contains: text}`` test a text or a list (citations,
caveats, warnings). Kinds:

- ``import`` — one kind of goods (``retail_import_tax``);
- ``order`` — an order with ``lines`` (and ``annual_before``);
- ``ledger`` — ``steps`` against a fresh in-memory buyer ledger, each an ``order``
  (``{order_id, buyer_id, date, lines}``), a ``return`` (``{buyer_id, order_id, applied_on,
  back_on}``) or a ``quota`` (``{buyer_id, date}``), each with its own ``expected``/``error``;
- ``postal``, ``export_income`` / ``deemed_cit``, ``returns``.

A researcher adds a case by adding YAML; no Python is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from cbec_policy.errors import CbecError, InputError
from cbec_policy.rules.export import export_income_tax, reference_zone_lookup
from cbec_policy.rules.ledger import BuyerLedger
from cbec_policy.rules.money import money
from cbec_policy.rules.order_tax import order_import_tax
from cbec_policy.rules.orders import make_order
from cbec_policy.rules.postal import postal_tax
from cbec_policy.rules.retail_import import retail_import_tax
from cbec_policy.rules.returns import export_return_exemption


@dataclass(frozen=True)
class CaseOutcome:
    """One case's verdict: the failures (empty when it passed)."""

    file: str
    case_id: str
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        """Whether every expectation held."""
        return not self.failures


def load_cases(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """Every case of the given YAML files or folders (folders: their ``*.yaml``), in file order."""
    cases = []
    for path in paths:
        files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
        if not files:
            raise InputError(str(path), "no case files (*.yaml)")
        for file in files:
            try:
                data = yaml.safe_load(file.read_text(encoding="utf-8"))
            except (OSError, yaml.YAMLError, ValueError) as exc:
                raise InputError(str(file), f"cannot read cases: {exc}") from None
            if not isinstance(data, list):
                raise InputError(str(file), "expected a list of cases")
            for number, case in enumerate(data, start=1):
                if not isinstance(case, dict) or "id" not in case or "kind" not in case:
                    raise InputError(f"{file.name} case {number}", "each case needs an id and a kind")
                cases.append({**case, "file": file.name})
    return cases


def _order(data: dict[str, Any], day: object) -> Any:
    return make_order(
        str(data.get("order_id", "case")), data.get("date", day), list(data.get("lines", [])), data.get("buyer_id")
    )


def run(case: dict[str, Any], ledger: BuyerLedger | None = None) -> dict[str, Any]:
    """The result record of one case (or step); raises the calculator's CbecError on bad input."""
    day = case.get("date")
    inputs = dict(case.get("inputs", {}))
    kind = case["kind"]
    if kind == "import":
        result = retail_import_tax(day, inputs.pop("price"), **inputs)  # type: ignore[arg-type]
        data = result.to_dict()
        data["consumption_tax_statutory"] = money(result.consumption_tax_statutory)
        data["vat_statutory"] = money(result.vat_statutory)
        return data
    if kind == "order":
        annual_before = inputs.pop("annual_before", 0)
        return order_import_tax(_order(inputs, day), annual_before).to_dict()
    if kind == "postal":
        return postal_tax(day, inputs.pop("value"), **inputs).to_dict()  # type: ignore[arg-type]
    if kind in ("export_income", "deemed_cit"):
        zone = inputs.pop("zone")
        bands = [tuple(band) for band in inputs.pop("relief_bands", [])]
        result = export_income_tax(day, zone, zone_lookup=reference_zone_lookup(), relief_bands=bands, **inputs)  # type: ignore[arg-type]
        return result.to_dict()
    if kind == "returns":
        return export_return_exemption(day, **inputs).to_dict()  # type: ignore[arg-type]
    if kind in ("ledger_order", "ledger_return", "ledger_quota") and ledger is not None:
        if kind == "ledger_order":
            return ledger.tax_order(_order(inputs, day), inputs.get("release_date")).to_dict()
        if kind == "ledger_return":
            return ledger.record_return(
                str(inputs["buyer_id"]), str(inputs["order_id"]), inputs["applied_on"], inputs.get("back_on")
            ).to_dict()
        return ledger.quota_left(str(inputs["buyer_id"]), inputs.get("date", day)).to_dict()
    raise InputError(f"case {case.get('id')}", f"unknown kind {kind!r}")


def _get(record: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if isinstance(record, list):
            record = record[int(part) - 1]
        else:
            record = record[part]
    return record


def _same(actual: Any, expected: Any, tolerance: float) -> bool:
    if expected is None or isinstance(expected, bool):
        return actual is expected
    if isinstance(expected, date):
        return actual == expected.isoformat()
    if isinstance(expected, int | float):
        return abs(Decimal(str(actual)) - Decimal(str(expected))) <= Decimal(str(tolerance))
    if isinstance(expected, dict) and ({"contains", "not_contains"} & set(expected)):
        text = actual if isinstance(actual, str) else " ".join(map(str, actual))
        wanted = expected.get("contains")
        unwanted = expected.get("not_contains")
        return (wanted is None or str(wanted) in text) and (unwanted is None or str(unwanted) not in text)
    return actual == expected


def _check(step: dict[str, Any], ledger: BuyerLedger | None) -> list[str]:
    where = step.get("id", "step")
    if "error" in step:
        try:
            run(step, ledger)
        except CbecError as exc:
            return [] if step["error"] in str(exc) else [f"{where}: error {exc!s} lacks {step['error']!r}"]
        return [f"{where}: expected an error containing {step['error']!r}, got a result"]
    try:
        result = run(step, ledger)
    except CbecError as exc:
        return [f"{where}: unexpected error: {exc}"]
    failures = []
    tolerance = step.get("tolerance", 0)
    for key, expected in step.get("expected", {}).items():
        try:
            actual = _get(result, key)
        except (KeyError, IndexError, ValueError):
            failures.append(f"{where}: no output {key!r}")
            continue
        if not _same(actual, expected, tolerance):
            failures.append(f"{where}: {key} = {actual!r}, expected {expected!r}")
    for key, wrong in step.get("must_not_equal", {}).items():
        if _same(_get(result, key), wrong, 0.5):
            failures.append(f"{where}: {key} matches the known-wrong value {wrong}")
    return failures


def check(case: dict[str, Any]) -> CaseOutcome:
    """Run one case (a ledger case: all its steps on a fresh in-memory store) and list what failed."""
    if case["kind"] != "ledger":
        return CaseOutcome(case.get("file", ""), str(case["id"]), tuple(_check(case, None)))
    from cbec_policy.store import open_store  # start-up: only ledger cases need a database

    failures: list[str] = []
    with open_store("sqlite:///:memory:") as store:
        ledger = BuyerLedger(store)
        for number, step in enumerate(case.get("steps", []), start=1):
            (action, body), *_ = ((k, v) for k, v in step.items() if k in ("order", "return", "quota"))
            inner = {
                "id": f"{case['id']} step {number}",
                "kind": f"ledger_{action}",
                "date": body.get("date", case.get("date")),
                "inputs": body,
                **{k: v for k, v in step.items() if k in ("expected", "error", "tolerance")},
            }
            failures += _check(inner, ledger)
    return CaseOutcome(case.get("file", ""), str(case["id"]), tuple(failures))


def run_cases(paths: Iterable[Path]) -> list[CaseOutcome]:
    """Check every case of ``paths``."""
    return [check(case) for case in load_cases(paths)]
