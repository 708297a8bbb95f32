"""A researcher's label file: checking, import into the store (all or nothing), export, and the
``cbec classify`` / ``cbec labels`` commands including the train → evaluate cycle on user labels."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from cbec_policy.classify.labels_io import export_csv, import_labels, parse_label_rows
from cbec_policy.classify.training import researcher_labelled
from cbec_policy.cli import cli
from cbec_policy.errors import InputError


@pytest.fixture(autouse=True)
def _model_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("CBEC_MODEL_DIR", str(tmp_path / "models"))


# A researcher's instrument coding of twelve bundled policies (our own judgement, for the test).
USER_LABELS = """id,doc_number,type,themes,instruments
2013-caishui-96,,,,environment.tax_incentive
,"财税[2018]103号",,,税收优惠
2019-sat-announce-36,,,,environment.tax_incentive
2023-announce-4,,,,environment.tax_incentive
2014-gacc-12,,,,environment.regulation
2018-gacc-27,,,,法规管制
2018-gacc-165,,,,environment.regulation
2020-gacc-45,,,,environment.regulation
2016-mof-announce-40,,,,demand.trade_control
2018-mof-announce-157,,,,贸易管制
2015-guohan-44,,,,demand.pilot；environment.strategic
2016-guohan-17,,,,试点示范
2018-cnipa-25,,监管类,监管、国际合作,
"""


def _write(tmp_path: Path, text: str, name: str = "labels.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- checking a file


def test_rows_accept_codes_and_chinese_labels_and_keep_empty_axes() -> None:
    rows = parse_label_rows(USER_LABELS, "labels.csv")
    assert len(rows) == 13
    assert rows[1].key == "财税[2018]103号" and rows[1].instruments == ("environment.tax_incentive",)
    assert rows[10].instruments == ("demand.pilot", "environment.strategic")
    last = rows[-1]
    assert (last.policy_type, last.themes, last.instruments) == ("supervision", ("supervision", "international"), None)
    assert last.axes() == ["policy_type", "themes"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id,type\n2013-caishui-96,税务类\n", "labels.csv, row 2: unknown type '税务类'"),
        ("id,themes\n2013-caishui-96,tax\n2018-gacc-27,tax;海关\n", "labels.csv, row 3: unknown theme '海关'"),
        ("id,instruments\nx,supply.money\n", "row 2: unknown instrument 'supply.money'"),
        ("id,is_cbec\nx,maybe\n", "row 2: is_cbec must be yes or no"),
        ("id,doc_number,type\n,,tax\n", "row 2: neither id nor doc_number"),
        ("id,type\nx,tax\nx,law\n", "row 3: 'x' is already labelled in row 2"),
        ("title,type\nx,tax\n", "needs an 'id' or 'doc_number' column"),
        ("id,type\nx,税务类\ny,税务类\n", "(and 1 more bad rows)"),
    ],
)
def test_bad_rows_are_named(text: str, message: str) -> None:
    with pytest.raises(InputError) as error:
        parse_label_rows(text, "labels.csv")
    assert message in str(error.value)


# ---------------------------------------------------------------- store


def test_import_writes_labels_with_a_researcher_mark(store, tmp_path: Path) -> None:
    outcomes = import_labels(_write(tmp_path, USER_LABELS), store)
    assert len(outcomes) == 13 and {outcome for _id, outcome in outcomes} == {"updated"}
    by_number = store.get_policy("2018-caishui-103")
    assert by_number.instruments == ("environment.tax_incentive",)
    assert by_number.policy_type == "tax"  # type cell empty: the verified type stays
    relabelled = store.get_policy("2018-cnipa-25")
    assert relabelled.policy_type == "supervision" and relabelled.themes == ("supervision", "international")
    assert researcher_labelled(relabelled) == {"policy_type", "themes"}
    assert store.get_policy("2014-gacc-56").instruments == ()  # not in the file: untouched
    # importing the same file again changes nothing
    assert {outcome for _id, outcome in import_labels(_write(tmp_path, USER_LABELS), store)} == {"unchanged"}


def test_an_unknown_id_stops_the_whole_import(store, tmp_path: Path) -> None:
    text = "id,type,instruments\n2013-caishui-96,law,supply.talent\n2099-nowhere-1,tax,\n"
    before = store.get_policy("2013-caishui-96")
    with pytest.raises(InputError, match=r"labels.csv, row 3: no stored policy with id or doc_number '2099-nowhere-1'"):
        import_labels(_write(tmp_path, text), store)
    assert store.get_policy("2013-caishui-96") == before  # row 2 was valid but nothing was written


def test_export_round_trips_through_import(sqlite_store, tmp_path: Path) -> None:
    import_labels(_write(tmp_path, USER_LABELS), sqlite_store)
    exported = export_csv(sqlite_store.list_policies())
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert len(rows) == 59
    cnipa = next(row for row in rows if row["id"] == "2018-cnipa-25")
    assert (cnipa["type"], cnipa["themes"], cnipa["labelled_by"]) == ("supervision", "supervision;international",
                                                                      "researcher")  # fmt: skip
    assert next(row for row in rows if row["id"] == "2014-gacc-56")["labelled_by"] != "researcher"
    # re-importing the export keeps every label as it was (the exported values become coded axes)
    researcher_ids = [row["id"] for row in rows if row["labelled_by"] == "researcher"]
    assert len(researcher_ids) == 13
    before = {i: sqlite_store.get_policy(i) for i in researcher_ids}
    import_labels(_write(tmp_path, export_csv(before.values()), "again.csv"), sqlite_store)
    for policy_id, old in before.items():
        new = sqlite_store.get_policy(policy_id)
        assert (new.policy_type, new.themes, new.instruments) == (old.policy_type, old.themes, old.instruments)


# ---------------------------------------------------------------- commands


def _run(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes is not None else "")


def test_cli_train_and_evaluate_cycle_on_a_user_label_file(sqlite_store_url: str, tmp_path: Path) -> None:
    code, out = _run(["labels", "import", str(_write(tmp_path, USER_LABELS)), "--db", sqlite_store_url])
    assert code == 0 and "imported 13" in out

    code, out = _run(["classify", "train", "--model", "mine", "--db", sqlite_store_url])
    assert code == 0, out
    # the 59 bundled policies and the 12 near-miss negatives of negatives.yaml
    assert "71 records (13 with researcher labels, 12 not CBEC)" in out
    assert (tmp_path / "models" / "mine.joblib").is_file()

    csv_path = tmp_path / "cv" / "metrics.csv"
    code, out = _run(["classify", "evaluate", "--folds", "3", "--csv", str(csv_path), "--db", sqlite_store_url,
                      "--format", "csv"])  # fmt: skip
    assert code == 0, out
    # one file per section: (a) in-sample fit, (b) cross-validation of each model
    assert {p.name for p in csv_path.parent.iterdir()} >= {"metrics_fit.csv", "metrics_cv_trained.csv",
                                                          "metrics_cv_hybrid.csv"}  # fmt: skip
    csv_path = csv_path.with_name("metrics_cv_hybrid.csv")
    rows = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    axes = {row["axis"] for row in rows}
    assert {"type", "themes", "instruments", "is_cbec"} <= axes
    instrument_support = next(r for r in rows if r["axis"] == "instruments" and r["label"] == "micro avg")["support"]
    assert instrument_support == "12"  # the 12 rows that code instruments (2018-cnipa-25 codes none)
    type_accuracy = float(next(r for r in rows if r["axis"] == "type" and r["label"] == "accuracy")["f1"])
    assert type_accuracy >= 0.9
    assert (tmp_path / "cv" / "metrics_cv_hybrid_confusion.csv").is_file()

    code, out = _run(["classify", "--model", "mine", "--format", "json",
                      "关于调整跨境电子商务零售进口商品清单的公告"])  # fmt: skip
    assert code == 0, out
    assert '"policy_type": "management"' in out and '"method": "hybrid"' in out


def test_cli_classify_text_and_file(tmp_path: Path) -> None:
    code, out = _run(["classify", "--format", "csv", "中华人民共和国电子商务法"])
    assert code == 0 and "法律类 (law)" in out
    notice = tmp_path / "notice.txt"
    notice.write_text(
        "海关总署公告2018年第194号\n关于跨境电子商务零售进出口商品有关监管事宜的公告\n"
        "跨境电子商务企业、平台企业应当向海关办理注册登记，并如实申报。\n",
        encoding="utf-8",
    )
    code, out = _run(["classify", str(notice), "--format", "json"])
    assert code == 0, out
    assert '"policy_type": "supervision"' in out and '"is_cbec": true' in out


def test_cli_errors_are_one_line_with_exit_code_2(sqlite_store_url: str, tmp_path: Path) -> None:
    code, out = _run(["classify", "Only English words here"])
    assert code == 2 and "not Chinese text" in out
    bad = _write(tmp_path, "id,type\n2013-caishui-96,税务类\n")
    code, out = _run(["labels", "import", str(bad), "--db", sqlite_store_url])
    assert code == 2 and "row 2: unknown type '税务类'" in out
    code, out = _run(["classify", "train", "--model", "../escape", "--db", sqlite_store_url])
    assert code == 2 and "model name" in out


def test_cli_stored_fills_relevance_and_instruments_but_keeps_coded_facts(sqlite_store_url: str, sqlite_store) -> None:
    code, out = _run(["classify", "stored", "--db", sqlite_store_url])
    assert code == 0 and "classified 59 policies" in out
    sqlite_store.close()
    from cbec_policy.store import open_store

    with open_store(sqlite_store_url) as store:
        policies = store.list_policies()
        assert all(p.is_cbec is True for p in policies)  # bundled: the national CBEC list
        assert sum(1 for p in policies if p.instruments) >= 40
        law = store.get_policy("2018-law-ecommerce")
        assert law.policy_type == "law"  # verified type kept
        assert law.classification_evidence["method"] == "lexicon"
        assert law.classification_evidence["evidence"]["type:law"]
    code, out = _run(["classify", "stored", "--db", sqlite_store_url])
    assert "classified 0 policies" in out  # nothing left to do
