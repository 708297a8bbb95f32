"""PMC index: the published family-doctor study cell for cell, schemes, coding evidence, overrides."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from cbec_policy.cli import cli
from cbec_policy.errors import InputError, ReferenceDataError
from cbec_policy.evaluation.coding import code_policy, horizon_years
from cbec_policy.evaluation.matrix_io import parse_matrix, read_matrix, write_matrix
from cbec_policy.evaluation.pmc import evaluate_matrix, evaluate_policies
from cbec_policy.evaluation.scheme import DATA_DIR, SCHEME_DIR, bundled_schemes, load_scheme
from cbec_policy.evaluation.scoring import round_half_up
from cbec_policy.models import Policy
from cbec_policy.reference.loader import load_national_policies

FIXTURE = DATA_DIR / "pmc_family_doctor_2022.csv"
PUBLISHED = yaml.safe_load((DATA_DIR / "pmc_family_doctor_2022_published.yaml").read_text(encoding="utf-8"))


def _published_rows() -> dict[str, dict[str, str]]:
    with FIXTURE.open(encoding="utf-8") as handle:
        return {row["policy"]: row for row in csv.DictReader(handle)}


@pytest.fixture()
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cbec.db'}"


def test_bundled_schemes_are_listed_and_load() -> None:
    assert {"cbec-default", "family-doctor-2022"} <= set(bundled_schemes())
    default = load_scheme()
    assert default.name == "cbec-default"
    assert [p.code for p in default.primaries] == [f"X{i}" for i in range(1, 11)]
    study = load_scheme("family-doctor-2022")
    assert len(study.variables) == 42  # 41 secondaries plus X10 coded directly
    assert load_scheme(str(SCHEME_DIR / "family-doctor-2022.yaml")).variables == study.variables


def test_unknown_scheme_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="neither a bundled scheme"):
        load_scheme("no-such-scheme")


def test_cli_reproduces_the_published_study_cell_for_cell(db: str) -> None:
    result = CliRunner().invoke(
        cli,
        ["pmc", "score", "--db", db, "--matrix", str(FIXTURE), "--scheme", "family-doctor-2022", "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output[result.output.index("{") :])
    published = _published_rows()
    assert [p["policy"] for p in answer["policies"]] == list(published)
    for policy in answer["policies"]:
        row = published[policy["policy"]]
        assert policy["pmc"] == pytest.approx(float(row["published_pmc"]), abs=1e-9)
        assert policy["rank"] == int(row["published_rank"])
        assert policy["grade"] == row["published_grade"]
    p1 = answer["policies"][0]
    for code, value in PUBLISHED["primary_scores"]["P1"].items():
        assert p1["primaries"][code] == pytest.approx(value, abs=1e-9), code
    assert p1["pmc_exact"] == pytest.approx(PUBLISHED["pmc_unrounded"]["P1"], abs=5e-5)
    for code, value in PUBLISHED["variable_means"].items():
        assert answer["means"][code] == pytest.approx(value, abs=1e-9), code
    for got, want in zip(p1["surface"], PUBLISHED["surface"]["P1"], strict=True):
        assert got == pytest.approx(want, abs=5e-4)


def test_surface_order_is_a_parameter() -> None:
    scheme = load_scheme("family-doctor-2022")
    cells = read_matrix(FIXTURE, scheme).cells
    column = evaluate_matrix(cells, scheme).policies[0].score.surface
    row = evaluate_matrix(cells, scheme.with_surface_order("row")).policies[0].score.surface
    assert row == [list(values) for values in zip(*column, strict=True)]  # row-wise fill is the transpose here
    assert row[0] == pytest.approx([1.0, 0.25, 2 / 3])


def test_grade_bands_come_from_the_scheme(tmp_path: Path) -> None:
    raw = yaml.safe_load((SCHEME_DIR / "family-doctor-2022.yaml").read_text(encoding="utf-8"))
    raw["grades"] = [{"zh": "高", "en": "high", "min": 7.5}, {"zh": "低", "en": "low", "min": 0}]
    path = tmp_path / "bands.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    scheme = load_scheme(str(path))
    grades = {
        p.policy_id: p.score.grade_zh for p in evaluate_matrix(read_matrix(FIXTURE, scheme).cells, scheme).policies
    }
    assert grades == {"P1": "高", "P2": "低", "P3": "低", "P4": "低", "P5": "低", "P6": "低"}


def test_rounding_is_half_up_as_printed() -> None:
    assert round_half_up(7.065, 2) == 7.07
    assert round_half_up(6.8667, 2) == 6.87


def test_bad_scheme_file_names_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    raw = yaml.safe_load((SCHEME_DIR / "cbec-default.yaml").read_text(encoding="utf-8"))
    raw["grades"] = list(reversed(raw["grades"]))
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="highest minimum"):
        load_scheme(str(path))


def test_matrix_import_lists_every_bad_cell_and_uses_nothing() -> None:
    scheme = load_scheme("family-doctor-2022")
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    bad_row = lines[1].split(",")
    bad_row[1] = "2"
    other = lines[2].split(",")
    other[5] = "yes"
    text = "\n".join([",".join(header), ",".join(bad_row), ",".join(other), lines[1]]) + "\n"
    with pytest.raises(InputError) as caught:
        parse_matrix(text, scheme, "edited.csv")
    message = str(caught.value)
    assert "line 2 (P1), column 'X1.1 预测': '2' is not 0 or 1" in message
    assert "line 3 (P2), column 'X1.5 引导': 'yes' is not 0 or 1" in message
    assert "line 4: policy 'P1' appears twice" in message
    assert "nothing used" in message


def test_matrix_import_needs_every_variable_column() -> None:
    scheme = load_scheme("family-doctor-2022")
    header = [h for h in FIXTURE.read_text(encoding="utf-8").splitlines()[0].split(",") if not h.startswith("X9.4")]
    with pytest.raises(InputError, match=r"missing columns: X9\.4 权责清晰"):
        parse_matrix(",".join(header) + "\n", scheme)


def _document(text: str, **changes: object) -> Policy:
    base = Policy(
        id="test-doc",
        title="商务部 海关总署关于推进跨境电子商务出口便利化的通知",
        doc_number="商贸发〔2030〕1号",
        issuers=("商务部", "海关总署"),
        publish_date=date(2030, 3, 1),
        effective_date=date(2030, 4, 1),
        end_date=date(2032, 3, 31),
        status="现行有效",
        level="national",
        policy_type=None,
        themes=(),
        source="test",
        full_text=text,
    )
    return replace(base, **changes)


# Our own wording: a short notice with an explicit validity, issuers and cues of several kinds.
_TEXT = (
    "为进一步促进跨境电商出口，根据有关规定，现就有关事项通知如下。"
    "一、对符合条件的跨境电商企业实行出口退税，简化申报手续。"
    "二、海关加强监管，对违规企业依法予以处罚。"
    "三、商务部门牵头负责，各地人民政府做好组织实施。"
)


def test_coding_keeps_a_span_for_every_one() -> None:
    scheme = load_scheme()
    policy = _document(_TEXT)
    coded = code_policy(policy, scheme)
    for code, value in coded.values.items():
        if not value:
            assert code not in coded.evidence
            continue
        evidence = coded.evidence[code]
        assert 0 < evidence.confidence <= 1
        if evidence.field in ("title", "full_text") and evidence.start is not None:
            source = policy.title if evidence.field == "title" else policy.full_text
            assert source[evidence.start : evidence.end].lower() == evidence.matched.lower(), code
    assert coded.values["X5.1"] == 1 and coded.evidence["X5.1"].matched == "退税"
    assert coded.values["X5.5"] == 1 and coded.evidence["X5.5"].matched == "处罚"
    assert coded.values["X3.4"] == 1  # two issuers: joint issuance, from metadata
    assert coded.evidence["X3.4"].method == "metadata"
    assert coded.values["X2.3"] == 1  # 2030-04-01 to 2032-03-31: two years
    assert coded.values["X2.1"] == 0
    assert coded.values["X9.4"] == 1 and coded.evidence["X9.4"].matched in ("负责", "牵头")
    assert coded.values["X10"] == 1


def test_issuer_names_in_the_title_are_not_subject_cues() -> None:
    scheme = load_scheme()
    policy = _document("", title="商务部 发展改革委 海关总署关于开展试点工作的通知", full_text=None, summary="")
    coded = code_policy(policy, scheme)
    assert coded.values["X4.3"] == 0  # 改革 only inside 发展改革委
    assert coded.values["X7.5"] == 0  # 海关 only inside 海关总署
    assert coded.confidence["X4.3"] == scheme.confidence["absent_summary"]


def test_horizon_from_text_when_dates_are_missing() -> None:
    policy = _document("力争到2035年基本建成。", end_date=None)
    span, source, words = horizon_years(policy, policy.full_text or "")
    assert source == "text" and words == "2035"
    assert span == pytest.approx(5.84, abs=0.01)


def test_override_replaces_cells_and_marks_them() -> None:
    scheme = load_scheme()
    policies = load_national_policies()[:3]
    auto = evaluate_policies(policies, scheme)
    first = auto.policies[0]
    flipped = next(code for code, value in first.values.items() if value == 0)
    text = write_matrix(scheme, {first.policy_id: {flipped: 1}})
    cells = parse_matrix(text, scheme).cells
    assert cells[first.policy_id][flipped] == 1
    assert sum(value is None for value in cells[first.policy_id].values()) == len(scheme.variables) - 1
    merged = evaluate_policies(policies, scheme, cells)
    changed = merged.policies[0]
    assert changed.values[flipped] == 1 and changed.origin[flipped] == "researcher"
    assert changed.score.pmc > first.score.pmc
    assert merged.policies[1].values == auto.policies[1].values
    with pytest.raises(InputError, match="not being scored"):
        evaluate_policies(policies, scheme, {"no-such-policy": {flipped: 1}})


def test_cli_scores_bundled_policies_with_evidence_for_every_one(db: str) -> None:
    result = CliRunner().invoke(cli, ["pmc", "score", "--db", db, "--format", "json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output[result.output.index("{") :])
    assert len(answer["policies"]) == len(load_national_policies())
    for policy in answer["policies"]:
        ones = [code for code, value in policy["values"].items() if value == 1]
        assert ones, policy["policy"]
        for code in ones:
            assert policy["evidence"][code]["excerpt"], (policy["policy"], code)
        assert 0 <= policy["pmc"] <= 10
    table = CliRunner().invoke(cli, ["pmc", "score", "--db", db, "2016-caiguanshui-18"])
    assert table.exit_code == 0, table.output
    assert "X10 政策公开 = 1" in table.output and "置信度" in table.output


def test_cli_export_then_import_round_trip(db: str, tmp_path: Path) -> None:
    out = tmp_path / "matrix.csv"
    runner = CliRunner()
    exported = runner.invoke(cli, ["pmc", "export", "--db", db, "2016-caiguanshui-18", "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert rows[0][0] == "policy" and rows[1][0] == "2016-caiguanshui-18"
    x10 = rows[0].index("X10 政策公开")
    rows[1][x10] = "0"
    with out.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    scored = runner.invoke(cli, ["pmc", "score", "--db", db, "--matrix", str(out), "--format", "json"])
    assert scored.exit_code == 0, scored.output
    policy = json.loads(scored.output[scored.output.index("{") :])["policies"][0]
    assert policy["values"]["X10"] == 0 and policy["origin"]["X10"] == "researcher"
    assert policy["origin"]["X1.1"] == "researcher"  # a complete exported row is the researcher's coding


def test_cli_rejects_a_bad_matrix_with_exit_2(db: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("policy,X1.1 预测\nP1,1\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["pmc", "score", "--db", db, "--matrix", str(path), "--scheme", "family-doctor-2022"]
    )
    assert result.exit_code == 2
    assert "missing columns" in result.output
