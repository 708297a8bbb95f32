"""The i18n layer: every code the analysis returns has words in both languages, read from the
label data, and no front end keeps a copy of those words in a dict of its own.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

from cbec_policy.i18n import (
    bilingual,
    group_label,
    in_force_label,
    label,
    local_confidence_label,
    local_level_label,
    outcome_label,
    provenance_label,
    reason_label,
    type_label,
    variant_label,
    verdict_label,
)
from cbec_policy.labels import RESULT_LABELS_FILE, VOCABULARIES_FILE, result_labels, vocabularies
from cbec_policy.report.inputs import bundled_inputs
from cbec_policy.report.results import Results, run_analysis

PACKAGE_ROOT = Path(__file__).resolve().parents[1] / "src" / "cbec_policy"
FRONT_ENDS = ("report", "web", "cli", "i18n", "tables.py", "citation_export.py")
# Lists whose codes are the names of fields (title, issuers, level): column headers share their words.
FIELD_NAMES = {"coding_words"}
RESULT_DATA = yaml.safe_load(RESULT_LABELS_FILE.read_text(encoding="utf-8"))


def _entry(name: str, code: str) -> dict[str, str]:
    return next(entry for entry in RESULT_DATA[name] if str(entry["code"]) == code)


@pytest.fixture(scope="module")
def results() -> Results:
    return run_analysis(bundled_inputs())


def test_every_claim_code_of_the_bundled_analysis_has_words(results: Results) -> None:
    """Verdicts, outcomes, sensitivity variants and reasons the claims return are all in the label data."""
    assert results.claims
    for claim in results.claims:
        for lang in ("zh", "en"):
            assert verdict_label(claim.verdict, lang) == _entry("claim_verdicts", claim.verdict)[lang]
            for row in claim.robustness:
                assert variant_label(row.key, lang) == _entry("sensitivity_variants", row.key)[lang]
                assert outcome_label(row.outcome, lang) == _entry("test_outcomes", row.outcome)[lang]
                if row.reason:
                    assert reason_label(row.reason, lang) == _entry("claim_reasons", row.reason)[lang]


def test_every_provenance_status_and_local_code_has_words(results: Results) -> None:
    for kind, counts in results.provenance.items():
        assert label("provenance_kinds", kind, "en") == _entry("provenance_kinds", kind)["en"]
        for status in counts:
            assert provenance_label(status, "zh") == _entry("provenance", status)["zh"]
    for document in results.local_documents:
        assert (
            local_confidence_label(document.confidence, "en") == _entry("local_confidence", document.confidence)["en"]
        )
        level = local_level_label(document.level, "zh")
        if document.level == "unknown":
            assert level == label("statuses", "unknown", "zh")
        else:
            assert level == _entry("local_levels", document.level)["zh"]
    for row in results.local_by_coastal:
        assert group_label(row["group"], "zh") == _entry("focus_groups", row["group"])["zh"]


def test_labels_fall_back_as_each_front_end_showed_them() -> None:
    """Unclassified policies, empty values and codes outside every list read as before."""
    assert type_label(None, "en") == _entry("type_groups", "unclassified")["en"]
    assert label("statuses", None, "en") == "unknown" and label("statuses", "", "zh") == "未知"
    assert label("policy_types", "自由文本", "en") == "自由文本"  # free text is shown as it is
    assert verdict_label("no_such_code", "zh") == "no_such_code"
    in_force = {entry["code"]: entry for entry in yaml.safe_load(VOCABULARIES_FILE.read_text("utf-8"))["in_force"]}
    assert in_force_label(None, "en") == in_force["null"]["en"]
    assert bilingual("in_force", True) == f"{in_force['true']['zh']} {in_force['true']['en']}"


def test_result_labels_are_kept_apart_from_the_vocabularies() -> None:
    """The two label files share no list name, so a code is looked up in exactly one place."""
    assert not set(vocabularies()) & set(result_labels())
    assert set(result_labels()) == set(RESULT_DATA)


def _front_end_modules() -> list[Path]:
    found = []
    for name in FRONT_ENDS:
        path = PACKAGE_ROOT / name
        found += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return found


def _copied_labels(path: Path, known: dict[str, dict[str, tuple[str, str]]], root: Path = PACKAGE_ROOT) -> list[str]:
    """Dicts holding two or more entries ``"code": ("中文", "English")`` (or ``"中文"``, ``"中文 English"``)
    that repeat the words of one list of the label data: a copy of that list.

    One matching entry is not a copy: a column header may name a field with the word a list uses.
    """
    copies = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Dict):
            continue
        per_list: dict[str, list[str]] = {}
        for key, value in zip(node.keys, node.values, strict=True):
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str) and key.value in known):
                continue
            if isinstance(value, ast.Tuple) and all(isinstance(v, ast.Constant) for v in value.elts):
                shown = tuple(v.value for v in value.elts)
            elif isinstance(value, ast.Constant) and isinstance(value.value, str):
                shown = (value.value,)
            else:
                continue
            for name, (zh, en) in known[key.value].items():
                if shown in ((zh, en), (zh,), (f"{zh} {en}",)):
                    per_list.setdefault(name, []).append(key.value)
        for name, keys in per_list.items():
            if len(keys) >= 2:
                copies.append(f"{path.relative_to(root)}:{node.lineno} copies {name} ({', '.join(keys)})")
    return copies


def test_no_front_end_keeps_a_copy_of_a_label() -> None:
    """A front end that writes a code's words into a dict of its own is found (the words live once)."""
    known: dict[str, dict[str, tuple[str, str]]] = {}
    for name, entries in (*vocabularies().items(), *result_labels().items()):
        if name in FIELD_NAMES:
            continue
        for entry in entries:
            known.setdefault(entry.code, {})[name] = (entry.zh, entry.en)
    copies = [copy for path in _front_end_modules() for copy in _copied_labels(path, known)]
    assert not copies, "labels copied into front-end code: " + "; ".join(copies)


def test_the_copy_check_finds_a_planted_copy(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    verdict = _entry("claim_verdicts", "partly")
    supported = _entry("claim_verdicts", "supported")
    planted.write_text(
        f'WORDS = {{"partly": ("{verdict["zh"]}", "{verdict["en"]}"), "supported": "{supported["zh"]}"}}\n',
        encoding="utf-8",
    )
    known = {
        "partly": {"claim_verdicts": (verdict["zh"], verdict["en"])},
        "supported": {"claim_verdicts": (supported["zh"], supported["en"])},
    }
    assert _copied_labels(planted, known, root=tmp_path) == ["planted.py:1 copies claim_verdicts (partly, supported)"]
