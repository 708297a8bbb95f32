"""The newcomer changes of ARCHITECTURE.md, each made on a copy of the package data.

A new dated rate must be one entry in one file: the test adds it to a copy of the parameter
tree and checks that the calculators answer with it from its first day, citing its source,
while the bundled tree (the package's own files) is left as it was.
"""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import yaml

from cbec_policy.rules.parameters import PARAMETER_DIR, load_parameters
from cbec_policy.rules.retail_import import retail_import_tax

VAT_FILE = Path("vat") / "import_vat_standard.yaml"
NEW_START = date(2027, 1, 1)


def _tree_with_new_vat_rate(tmp_path: Path, rate: float, source: str) -> Path:
    """A copy of the parameter tree whose standard VAT file has one more dated entry."""
    tree = tmp_path / "parameters"
    shutil.copytree(PARAMETER_DIR, tree)
    path = tree / VAT_FILE
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"  {NEW_START.isoformat()}: {{value: {rate}, source: {source}, status: verified}}\n")
    return tree


def test_a_new_vat_rate_is_one_entry_in_one_file(tmp_path: Path) -> None:
    bundled = load_parameters()
    before = bundled["import_vat_standard"].value_at(NEW_START)
    source = bundled["import_vat_standard"].at(NEW_START).source
    new_rate = round(float(before) - 0.01, 2)
    tree = _tree_with_new_vat_rate(tmp_path, new_rate, source)

    changed = sorted(
        p.relative_to(tree)
        for p in tree.rglob("*.yaml")
        if p.read_bytes() != (PARAMETER_DIR / p.relative_to(tree)).read_bytes()
    )
    assert changed == [VAT_FILE]

    params = load_parameters(tree)
    vat = params["import_vat_standard"]
    assert vat.value_at(NEW_START) == new_rate
    assert vat.value_at(date(2026, 12, 31)) == before
    assert vat.last_change == NEW_START

    price = 100
    old = retail_import_tax(date(2026, 12, 31), price, params=params)
    new = retail_import_tax(NEW_START, price, params=params)
    # The CBEC rate is 70% of the statutory VAT, so the new rate shows in the tax due.
    ratio = new.vat / old.vat
    assert ratio == Decimal(str(new_rate)) / Decimal(str(before))
    assert yaml.safe_load((PARAMETER_DIR / VAT_FILE).read_text(encoding="utf-8"))["values"].get(NEW_START) is None
