"""Run every rules test case in tests/rules_cases/*.yaml (cases as data, OpenFisca style).

Each case names a calculator (``kind``), a date, inputs and either expected outputs (within a
tolerance) or the text an error must contain. Expected values come from the paper's fact
sheet (worked examples E1-E12) or were computed by hand in the YAML comments.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from cbec_policy.errors import CbecError
from cbec_policy.rules.export import export_income_tax, reference_zone_lookup
from cbec_policy.rules.money import money
from cbec_policy.rules.postal import postal_tax
from cbec_policy.rules.retail_import import retail_import_tax
from cbec_policy.rules.returns import export_return_exemption

CASES_DIR = Path(__file__).parent / "rules_cases"


def _load_cases() -> list[dict[str, Any]]:
    cases = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            case["file"] = path.name
            cases.append(case)
    return cases


CASES = _load_cases()


def _run(case: dict[str, Any]) -> dict[str, Any]:
    day: date = case["date"]
    inputs = dict(case.get("inputs", {}))
    kind = case["kind"]
    if kind == "import":
        result = retail_import_tax(day, inputs.pop("price"), **inputs)
        data = result.to_dict()
        data["consumption_tax_statutory"] = money(result.consumption_tax_statutory)
        data["vat_statutory"] = money(result.vat_statutory)
        return data
    if kind == "postal":
        return postal_tax(day, inputs.pop("value"), **inputs).to_dict()
    if kind in ("export_income", "deemed_cit"):
        zone = inputs.pop("zone")
        bands = [tuple(band) for band in inputs.pop("relief_bands", [])]
        result = export_income_tax(day, zone, zone_lookup=reference_zone_lookup(), relief_bands=bands, **inputs)
        return result.to_dict()
    if kind == "returns":
        return export_return_exemption(day, **inputs).to_dict()
    raise AssertionError(f"unknown kind {kind!r}")


def _same(actual: Any, expected: Any, tolerance: float) -> bool:
    if expected is None or isinstance(expected, bool):
        return actual is expected
    if isinstance(expected, date):
        return actual == expected.isoformat()
    if isinstance(expected, int | float):
        return abs(Decimal(str(actual)) - Decimal(str(expected))) <= Decimal(str(tolerance))
    return actual == expected


def test_every_worked_example_is_a_case() -> None:
    """All twelve worked examples of the fact sheet are present as cases (E1 … E12)."""
    ids = {case["id"].split("_")[0].rstrip("ab") for case in CASES}
    assert {f"E{n}" for n in range(1, 13)} <= ids


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_rules_case(case: dict[str, Any]) -> None:
    if "error" in case:
        with pytest.raises(CbecError) as caught:
            _run(case)
        assert case["error"] in str(caught.value)
        return
    result = _run(case)
    tolerance = case.get("tolerance", 0)
    for key, expected in case["expected"].items():
        assert _same(result[key], expected, tolerance), f"{case['id']}: {key} = {result[key]!r}, expected {expected!r}"
    for key, wrong in case.get("must_not_equal", {}).items():
        assert not _same(result[key], wrong, 0.5), f"{case['id']}: {key} matches the known-wrong value {wrong}"


def test_counter_example_formula_without_gross_up_is_rejected() -> None:
    """E10: the simplified 0.7 x (c + v) formula gives 156.80; the engine must give 184.47 instead."""
    result = retail_import_tax(date(2025, 6, 1), 800, vat_rate="0.13", ct_rate="0.15")
    simplified = money(Decimal(800) * Decimal("0.7") * (Decimal("0.13") + Decimal("0.15")))
    assert simplified == Decimal("156.80")
    assert result.total_tax == Decimal("184.47")
    assert result.total_tax != simplified
