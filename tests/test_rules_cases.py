"""Every rules test case in tests/rules_cases/*.yaml, through the package's own runner (``cbec rules test``).

Each case names a calculator (``kind``), a date, inputs and either expected outputs (within a
tolerance) or the text an error must contain. Expected values come from the fact sheet
(worked examples E1-E12) or were computed by hand in the YAML comments.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from cbec_policy.errors import InputError
from cbec_policy.rules.cases import check, load_cases, run_cases
from cbec_policy.rules.money import money
from cbec_policy.rules.retail_import import retail_import_tax

CASES_DIR = Path(__file__).parent / "rules_cases"
CASES = load_cases([CASES_DIR])


def test_every_worked_example_is_a_case() -> None:
    """All twelve worked examples of the fact sheet are present as cases (E1 … E12)."""
    ids = {case["id"].split("_")[0].rstrip("ab") for case in CASES}
    assert {f"E{n}" for n in range(1, 13)} <= ids


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_rules_case(case: dict) -> None:
    outcome = check(case)
    assert outcome.passed, "\n".join(outcome.failures)


def test_the_runner_reports_a_wrong_expectation(tmp_path: Path) -> None:
    """A case whose expectation is wrong fails, naming the output and both values."""
    (tmp_path / "wrong.yaml").write_text(
        "- {id: wrong, kind: import, date: 2025-06-01, inputs: {price: 500}, expected: {total_tax: 45.51}}\n",
        encoding="utf-8",
    )
    [outcome] = run_cases([tmp_path])
    assert not outcome.passed
    assert "total_tax = Decimal('45.50'), expected 45.51" in outcome.failures[0]


def test_a_case_file_that_is_not_a_list_is_refused(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("id: x\n", encoding="utf-8")
    with pytest.raises(InputError, match="expected a list of cases"):
        load_cases([tmp_path])


def test_counter_example_formula_without_gross_up_is_rejected() -> None:
    """E10: the simplified 0.7 x (c + v) formula gives 156.80; the engine must give 184.47 instead."""
    result = retail_import_tax(date(2025, 6, 1), 800, vat_rate="0.13", ct_rate="0.15")
    simplified = money(Decimal(800) * Decimal("0.7") * (Decimal("0.13") + Decimal("0.15")))
    assert simplified == Decimal("156.80")
    assert result.total_tax == Decimal("184.47")
    assert result.total_tax != simplified
