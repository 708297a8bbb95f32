"""``cbec classify evaluate``: three kinds of figures, each labelled for what it is.

\b
(a) 样本内拟合 in-sample fit: the lexicon on the bundled policies (and the near-miss negatives)
    its terms were written with - shows the scheme fits its own examples, not accuracy;
(b) 交叉验证 cross-validation of the trained and hybrid models: every fold refits every
    learned part, thresholds included;
(c) 金标准 gold documents (--gold FILE.jsonl, texts ID.txt beside it): per-class precision,
    recall, F1, support, confusion matrix, and Cohen's κ with a second coder (--second-coder).
Only (b) and (c) estimate accuracy on documents the classifier has not seen.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cbec_policy.cli.classifiers import chosen_classifier, training_records
from cbec_policy.cli.options import db_option
from cbec_policy.cli.output import emit_rows, format_option, to_json

_KAPPA_LABELS = {
    "coders": "编码者 coders",
    "axis": "维度 axis",
    "documents": "文件 documents",
    "agreement": "一致率 agreement",
    "kappa": "Cohen κ",
}


def _section(evaluation: Any, title: str, output_format: str) -> dict[str, Any]:
    """Print one evaluation (table/CSV) and return its JSON form."""
    # start-up: imported only when this command runs, so other commands and --help stay light
    from cbec_policy.classify import METRIC_COLUMNS, confusion_rows, metric_rows

    rows = metric_rows(evaluation)
    if output_format == "table":
        emit_rows(rows, METRIC_COLUMNS, "table", title=title)
        if evaluation.confusion:
            labels = {"truth": "真实＼预测 truth＼predicted", **{c: c for c in evaluation.type_labels}}
            emit_rows(
                confusion_rows(evaluation), labels, "table", title=f"类型混淆矩阵 type confusion matrix — {title}"
            )
    elif output_format == "csv":
        click.echo(f"# {title}")
        emit_rows([{**row, "evaluation": evaluation.kind} for row in rows], {**METRIC_COLUMNS, "evaluation": "kind"},
                  "csv")  # fmt: skip
    return {"kind": evaluation.kind, "title": title, "classifier": evaluation.classifier, "folds": evaluation.folds,
            "records": evaluation.records, "metrics": rows, "confusion": confusion_rows(evaluation)}  # fmt: skip


def _csv_files(evaluation: Any, csv_path: Path | None, suffix: str) -> None:
    # start-up: imported only when this command runs, so other commands and --help stay light
    from cbec_policy.classify import write_csv

    if csv_path is not None:
        target = csv_path.with_name(f"{csv_path.stem}_{suffix}{csv_path.suffix or '.csv'}")
        for path in write_csv(evaluation, target):
            click.echo(f"已写入 wrote {path}", err=True)


@click.command("evaluate")
@click.option("--folds", default=5, show_default=True, type=click.IntRange(min=0),
              help="交叉验证折数 folds of (b) (0 = leave-one-out)")  # fmt: skip
@click.option("--records", "record_set", type=click.Choice(["all", "table1"]), default="all", show_default=True,
              help="all = bundled + negatives + researcher labels; table1 = the paper's 26 Table 1 rows")  # fmt: skip
@click.option("--paper-types", is_flag=True, help="以论文表1的类型为准 score against the paper's Table 1 types")
@click.option("--user-labels/--no-user-labels", default=True, show_default=True)
@click.option("--seed", default=0, show_default=True, help="折划分随机种子 fold seed")
@click.option("--gold", "gold_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="金标准 gold JSON Lines (texts ID.txt beside it): adds section (c)")  # fmt: skip
@click.option("--second-coder", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="第二编码者 second coder's labels (CSV/JSON Lines: id, is_cbec, policy_type, themes)")  # fmt: skip
@click.option("--method", type=click.Choice(["hybrid", "lexicon", "trained"]), default="hybrid", show_default=True,
              help="(c) 分类器 classifier for the gold file (hybrid = saved default model, else lexicon)")  # fmt: skip
@click.option("--model", default=None, help="(c) 已训练模型名 trained model for (c)")
@click.option("--no-cv", is_flag=True, help="跳过 (a)(b) only score the gold file")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="另存 CSV write each section's metrics (and confusion matrix) next to this name")  # fmt: skip
@db_option
@format_option()
def evaluate_command(
    folds: int,
    record_set: str,
    paper_types: bool,
    user_labels: bool,
    seed: int,
    gold_path: Path | None,
    second_coder: Path | None,
    method: str,
    model: str | None,
    no_cv: bool,
    csv_path: Path | None,
    db_url: str | None,
    output_format: str,
) -> None:
    """评估 In-sample fit (a), cross-validation (b) and gold-document scores (c), each labelled as such."""
    # start-up: imported only when this command runs, so other commands and --help stay light
    from cbec_policy.classify import (
        HybridClassifier,
        LexiconClassifier,
        TrainedClassifier,
        bundled_records,
        cross_validate,
        in_sample_fit,
        negative_records,
    )

    if second_coder is not None and gold_path is None:
        raise click.UsageError("--second-coder needs --gold (κ compares codings of the same documents)")
    report: dict[str, Any] = {}
    if not no_cv:
        if record_set == "table1":
            records = [*bundled_records(paper_types=True, table1_only=True), *negative_records()]
        else:
            records, _users = training_records(db_url, user_labels, paper_types=paper_types)
        negatives = sum(1 for r in records if r.is_cbec is False)
        fit = in_sample_fit(LexiconClassifier(), records)
        title = (f"(a) 样本内拟合 in-sample fit, lexicon, {len(records) - negatives} bundled policies and "
                 f"{negatives} negatives — NOT cross-validation: its terms were written from them")  # fmt: skip
        report["in_sample_fit"] = _section(fit, title, output_format)
        _csv_files(fit, csv_path, "fit")
        report["cross_validation"] = []
        for factory in (TrainedClassifier, HybridClassifier):
            evaluation = cross_validate(factory, records, folds=folds, seed=seed)
            kind = "leave-one-out" if evaluation.folds == evaluation.records else f"{evaluation.folds}-fold"
            title = (f"(b) 交叉验证 {evaluation.classifier}: {kind} cross-validation on {evaluation.records} records "
                     f"({negatives} not CBEC); every fold refits the model and its thresholds")  # fmt: skip
            report["cross_validation"].append(_section(evaluation, title, output_format))
            _csv_files(evaluation, csv_path, f"cv_{evaluation.classifier}")
    if gold_path is not None:
        # start-up: imported only when this command runs, so other commands and --help stay light
        from cbec_policy.classify import evaluate_gold

        scored = evaluate_gold(chosen_classifier(method, model), gold_path, second_coder)
        evaluation = scored.evaluation
        negatives = sum(1 for c in scored.codings["gold"].values() if c.is_cbec is False)
        title = (f"(c) 金标准 gold documents {gold_path.name}: {evaluation.classifier} on {evaluation.records} "
                 f"documents ({evaluation.records - negatives} CBEC, {negatives} not), never used to fit")  # fmt: skip
        section = _section(evaluation, title, output_format)
        section["kappa"] = scored.kappa
        if output_format != "json":
            emit_rows(scored.kappa, _KAPPA_LABELS, output_format, title="Cohen κ (sklearn.metrics.cohen_kappa_score)")
        report["gold"] = section
        _csv_files(evaluation, csv_path, "gold")
    if output_format == "json":
        click.echo(to_json(report))
