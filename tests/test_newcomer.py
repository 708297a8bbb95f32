"""The newcomer changes of ARCHITECTURE.md, each made on a copy of the package data.

* A new dated rate must be one entry in one file: the test adds it to a copy of the parameter
  tree and checks that the calculators answer with it from its first day, citing its source.
* A ninth pilot batch must be rows in the data files only: the test writes them into a copy of
  the reference folder (``ninth_batch.py``), points the package at it (``CBEC_REFERENCE_DIR``)
  and runs the zone lookup and the zone list against it; ``scripts/check_newcomer.sh`` runs the
  whole suite against such a copy (``scripts/test.sh`` runs it after the suite).
* A new policy type must be one entry in ``vocabularies.yaml`` (code, labels, colour) plus its
  cues under its code in ``taxonomy.yaml``: the test makes both edits in a copy of the package and checks that labels,
  the classifier and the report and web palettes take it up.

The package's own files are never written; each check compares them before and after.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

import reference_counts
from cbec_policy.rules.parameters import PARAMETER_DIR, load_parameters
from cbec_policy.rules.retail_import import retail_import_tax
from ninth_batch import NINTH_DAY, NINTH_ZONES, write_reference_copy

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "cbec_policy"
TESTS = Path(__file__).resolve().parent

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


# --------------------------------------------------------------------------- a ninth pilot batch


def _environment(**extra: str) -> dict[str, str]:
    """The test process's environment for a child run: SQLite only, the package from this tree."""
    env = {k: v for k, v in os.environ.items() if k not in ("CBEC_TEST_PG_URL", "CBEC_REQUIRE_SERVICES", "CBEC_DB_URL")}
    env["PYTHONPATH"] = os.pathsep.join([str(PACKAGE.parent), str(TESTS)])
    env.update(extra)
    return env


def _cbec(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "cbec_policy", *args], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and p.suffix in (".csv", ".yaml")}


@pytest.mark.slow
def test_a_ninth_pilot_batch_is_rows_in_the_data_files_only(tmp_path: Path) -> None:
    # The copy is always made from the bundled folder, and the expected numbers read from it, so
    # the test also holds when the whole suite runs against a copy (scripts/check_newcomer.sh).
    bundled = PACKAGE / "reference"
    bundled_before = _files(bundled)
    folder = write_reference_copy(tmp_path, bundled)
    changed = sorted(name for name, data in _files(folder).items() if bundled_before.get(name) != data)
    assert changed == ["pilot_batches.csv", "pilot_zones.csv"]
    new_batch = max(reference_counts.batch_numbers(bundled)) + 1

    env = _environment(CBEC_REFERENCE_DIR=str(folder))
    db = f"sqlite:///{tmp_path / 'ninth.sqlite3'}"
    _cbec(env, "init", "--db", db)
    # The zone lookup answers from the new batch on its day, and not the day before.
    found = json.loads(_cbec(env, "zones", "lookup", "张家口", "--on", NINTH_DAY.isoformat(), "--format", "json",
                             "--db", db))  # fmt: skip
    assert found["is_pilot_zone"] is True and found["batch"] == new_batch
    before = json.loads(_cbec(env, "zones", "lookup", "张家口", "--on", "2026-06-29", "--format", "json", "--db", db))
    assert before["is_pilot_zone"] is False
    # The zone list counts the new zones; the help names the new batch number.
    listed = json.loads(_cbec(env, "zones", "list", "--on", NINTH_DAY.isoformat(), "--format", "json", "--db", db))
    assert len(listed) == reference_counts.in_force_after_each_batch(bundled)[-1] + len(NINTH_ZONES)
    assert f"1–{new_batch})" in _cbec(env, "zones", "list", "--help")
    assert _files(bundled) == bundled_before


# --------------------------------------------------------------------------- a new policy type

NEW_TYPE = {"code": "platform", "zh": "平台类", "en": "platform", "colour": "#882255"}
NEW_TYPE_CUES = """\
  - code: platform
    definition_zh: 以电子商务平台经营者的责任与义务为主要内容的文件。
    definition_en: Documents whose main content is the duties of e-commerce platform operators.
    terms:
      平台经营者: 3
      平台责任: 3
    title_patterns:
      - {pattern: "平台经营者", weight: 4}
"""
CHECK_NEW_TYPE = """\
import json
from cbec_policy.classify.base import Document
from cbec_policy.classify.lexicon import LexiconClassifier
from cbec_policy.classify.taxonomy import load_taxonomy
from cbec_policy.i18n import label
from cbec_policy.labels import POLICY_TYPES, find_label
from cbec_policy.report.chart_base import TYPE_COLOURS as REPORT_COLOURS
from cbec_policy.web.charts import TYPE_COLOURS as WEB_COLOURS
from cbec_policy.web.render import palette_css

document = Document(title="关于明确跨境电商平台经营者责任的通知",
                    text="跨境电子商务平台经营者应当履行平台责任。平台经营者对入驻企业进行审核。")
print(json.dumps({
    "codes": [entry.code for entry in POLICY_TYPES],
    "found": find_label(POLICY_TYPES, "平台类", "--type").code,
    "english": label("policy_types", "platform", "en"),
    "taxonomy": [category.code for category in load_taxonomy().types],
    "classified": LexiconClassifier().explain(document).policy_type,
    "report_colours": list(REPORT_COLOURS),
    "web_colours": list(WEB_COLOURS),
    "palette_css": palette_css(),
}))
"""


def _package_with_a_new_type(tmp_path: Path) -> Path:
    """A copy of the package whose vocabularies and taxonomy each hold one more policy type."""
    copy = tmp_path / "src" / "cbec_policy"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    vocabularies = copy / "vocabularies.yaml"
    lines = vocabularies.read_text(encoding="utf-8").splitlines(keepends=True)
    last = max(i for i, line in enumerate(lines) if line.startswith("  - {code: ") and i < lines.index("themes:\n"))
    entry = ", ".join(f'{key}: "{value}"' for key, value in NEW_TYPE.items())
    lines.insert(last + 1, f"  - {{{entry}}}\n")
    vocabularies.write_text("".join(lines), encoding="utf-8")
    taxonomy = copy / "classify" / "taxonomy.yaml"
    text = taxonomy.read_text(encoding="utf-8")
    assert text.count("\nthemes:\n") == 1
    taxonomy.write_text(text.replace("\nthemes:\n", "\n" + NEW_TYPE_CUES + "\nthemes:\n"), encoding="utf-8")
    return copy


def test_a_new_policy_type_is_one_vocabulary_entry_and_its_cues(tmp_path: Path) -> None:
    before = {
        path: path.read_bytes() for path in (PACKAGE / "vocabularies.yaml", PACKAGE / "classify" / "taxonomy.yaml")
    }
    copy = _package_with_a_new_type(tmp_path)
    changed = sorted(
        str(p.relative_to(copy))
        for p in copy.rglob("*")
        if p.is_file() and p.read_bytes() != (PACKAGE / p.relative_to(copy)).read_bytes()
    )
    assert changed == ["classify/taxonomy.yaml", "vocabularies.yaml"]

    env = _environment()
    env["PYTHONPATH"] = str(copy.parent)
    done = subprocess.run([sys.executable, "-c", CHECK_NEW_TYPE], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["codes"][-1] == NEW_TYPE["code"] and seen["found"] == NEW_TYPE["code"]
    assert seen["english"] == NEW_TYPE["en"]
    assert seen["taxonomy"] == seen["codes"]
    assert seen["classified"] == NEW_TYPE["code"]
    assert NEW_TYPE["colour"] in seen["report_colours"] and NEW_TYPE["colour"] in seen["web_colours"]
    assert NEW_TYPE["colour"] in seen["palette_css"]
    assert {path: path.read_bytes() for path in before} == before
