"""``cbec classify`` and ``cbec labels``: classify documents, train and evaluate, import a researcher's coding.

\b
cbec classify "关于跨境电子商务零售进口税收政策的通知"     labels of a text, with evidence
cbec classify notice.html                               labels of a file (read like cbec ingest)
cbec classify train [--model NAME]                      train on bundled + researcher labels
cbec classify evaluate [--gold FILE] [--second-coder F]  in-sample fit, cross-validation, gold scores
cbec classify stored                                    fill relevance/instruments of stored policies
cbec labels import FILE.csv / cbec labels export        a researcher's own coding
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cbec_policy.classify import (
    RELEVANCE_KEY,
    Classification,
    Document,
    Taxonomy,
    instrument_key,
    load_taxonomy,
    require_chinese,
    theme_key,
    type_key,
)
from cbec_policy.cli.classifiers import chosen_classifier, training_records
from cbec_policy.cli.classify_evaluate import evaluate_command
from cbec_policy.cli.options import db_option, open_ready_store
from cbec_policy.cli.output import emit_rows, format_option, to_json
from cbec_policy.errors import InputError

_MAX_TEXT_ARGUMENT_PATH = 255  # longer arguments are certainly text, not a file name
_MAX_TITLE = 80  # a first line longer than this is body text, not a title


class _DefaultToDocument(click.Group):
    """A group whose first argument, when it is not a sub-command, is the document to classify."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["document", *args]
        return super().parse_args(ctx, args)


# ---------------------------------------------------------------------- reading the input


def _document_from_argument(
    value: str, title: str | None, doc_number: str | None, issuers: tuple[str, ...]
) -> Document:
    """A file path is read like ``cbec ingest`` reads it; anything else is the text itself."""
    is_path = len(value) <= _MAX_TEXT_ARGUMENT_PATH and "\n" not in value and Path(value).is_file()
    if not is_path:
        require_chinese(f"{title or ''}\n{value}", "text")
        document_title, text = _split_title(value.strip())
        return Document(title=title if title is not None else document_title, text=text if title is None else value,
                        issuers=issuers, doc_number=doc_number)  # fmt: skip
    # start-up: imported only when this command runs, so other commands and --help stay light
    from cbec_policy.ingest import process_document

    result = process_document(value, classify=False)
    if result.error or result.normalised is None:
        raise InputError(value, result.error or "cannot be read")
    found = result.extraction
    text = result.normalised.text
    require_chinese(text, value)
    return Document(
        title=title if title is not None else (found.title if found and found.title else ""),
        text=text,
        issuers=issuers or (tuple(found.issuers) if found else ()),
        doc_number=doc_number or (found.doc_number if found else None),
    )


def _split_title(value: str) -> tuple[str, str]:
    """A short first line is the title; a single short line is a title alone; a long one is text."""
    first, _, rest = value.partition("\n")
    if len(first.strip()) <= _MAX_TITLE:
        return first.strip(), rest.strip()
    return "", value


# ---------------------------------------------------------------------- presenting a result

_RESULT_LABELS = {
    "axis": "维度 axis",
    "label": "类别 label",
    "assigned": "判定 assigned",
    "score": "得分 score",
    "evidence": "依据 evidence (term field:start-end)",
}


def _evidence_text(items: list[dict[str, Any]], limit: int = 5) -> str:
    """Evidence grouped by term: ``term ×count field:start-end`` (first occurrence), strongest first."""
    grouped: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for item in items:
        source = "模型 " if item.get("source") == "model" else ""
        grouped.setdefault((source, item["term"], item.get("field", "")), []).append(item)
    parts = []
    for (source, term, field), found in list(grouped.items())[:limit]:
        count = f" ×{len(found)}" if len(found) > 1 else ""
        first = found[0]
        where = f" {field}:{first['start']}-{first['end']}" if first["end"] > first["start"] else ""
        parts.append(f"{source}{term}{count}{where}")
    more = f" …(+{len(grouped) - limit})" if len(grouped) > limit else ""
    return "；".join(parts) + more


def result_rows(result: Classification, taxonomy: Taxonomy) -> list[dict[str, Any]]:
    """Rows for the table/CSV view: relevance, then every type, theme and instrument with a score."""
    rows: list[dict[str, Any]] = [
        {
            "axis": "相关性 is_cbec",
            "label": taxonomy.relevance.zh,
            "assigned": result.is_cbec,
            "score": round(result.is_cbec_score, 3),
            "evidence": _evidence_text(result.evidence.get(RELEVANCE_KEY, [])),
        }
    ]
    axes = (
        ("类型 type", taxonomy.types, result.scores.get("type") or {}, type_key, {result.policy_type}),
        ("主题 theme", taxonomy.themes, result.scores.get("themes") or {}, theme_key, set(result.themes)),
        ("工具 instrument", taxonomy.instruments, result.scores.get("instruments") or {}, instrument_key,
         set(result.instruments)),
    )  # fmt: skip
    for axis, categories, scores, key, chosen in axes:
        ranked = sorted(categories, key=lambda c: -(scores.get(c.code) or 0.0))
        for category in ranked:
            score = scores.get(category.code) or 0.0
            if score <= 0 and category.code not in chosen:
                continue
            rows.append(
                {
                    "axis": axis,
                    "label": f"{category.zh} ({category.code})",
                    "assigned": category.code in chosen,
                    "score": round(score, 3),
                    "evidence": _evidence_text(result.evidence.get(key(category.code), [])),
                }
            )
    return rows


def _emit_result(document: Document, result: Classification, output_format: str) -> None:
    taxonomy = load_taxonomy()
    if output_format == "json":
        click.echo(to_json({"title": document.title, "doc_number": document.doc_number, **result.to_dict()}))
        return
    type_label = next((c.zh for c in taxonomy.types if c.code == result.policy_type), "未知 unknown")
    title = (
        f"{document.title or '(无标题 untitled)'} — 类型 {type_label}，跨境电商相关 {'是' if result.is_cbec else '否'}"
    )
    emit_rows(result_rows(result, taxonomy), _RESULT_LABELS, output_format, title=title,
              footer=f"方法 method: {result.method}")  # fmt: skip


# ---------------------------------------------------------------------- commands


@click.group(cls=_DefaultToDocument, invoke_without_command=False)
def classify() -> None:
    """分类 Classify documents: relevance, type (税收类…综合类), themes, policy instruments.

    \b
    cbec classify PATH_OR_TEXT     标签与依据 labels with evidence
    cbec classify train            训练模型 train a model
    cbec classify evaluate         评估 in-sample fit / cross-validation / gold documents
    cbec classify stored           为库中政策补充分类 classify stored policies
    """


@classify.command("document")
@click.argument("path_or_text")
@click.option("--title", default=None, help="标题 title (default: found in the file, or the text's first line)")
@click.option("--doc-number", default=None, help="发文字号 document number")
@click.option("--issuer", "issuers", multiple=True, help="发文机关 issuing department (repeatable)")
@click.option("--method", type=click.Choice(["hybrid", "lexicon", "trained"]), default="hybrid", show_default=True,
              help="分类器 classifier")  # fmt: skip
@click.option("--model", default=None, help="已训练模型名 trained model name (default: 'default' when saved)")
@format_option()
def classify_document_command(
    path_or_text: str,
    title: str | None,
    doc_number: str | None,
    issuers: tuple[str, ...],
    method: str,
    model: str | None,
    output_format: str,
) -> None:
    """分类一个文件或一段文字 Classify one file or text and show the evidence for every label."""
    document = _document_from_argument(path_or_text, title, doc_number, issuers)
    result = chosen_classifier(method, model).explain(document)
    _emit_result(document, result, output_format)


@classify.command("train")
@click.option("--model", "name", default="default", show_default=True, help="模型名 model name")
@click.option("--user-labels/--no-user-labels", default=True, show_default=True,
              help="包含库中研究者标注 include researcher labels from the store")  # fmt: skip
@db_option
def train_command(name: str, user_labels: bool, db_url: str | None) -> None:
    """训练 Train the n-gram model on the bundled policies plus the researcher labels in the store."""
    # start-up: imported only when this command runs, so other commands and --help stay light
    from cbec_policy.classify import HybridClassifier, model_path, save_model

    model_path(name)  # check the name before any work
    records, user_count = training_records(db_url, user_labels)
    # fitted as a hybrid, so that the model carries the thresholds of the mixed scores too
    model = HybridClassifier().fit(records).trained
    path = save_model(model, name)
    learned_themes = sum(1 for m in model.theme_models.values() if m is not None)
    learned_instruments = sum(1 for m in model.instrument_models.values() if m is not None)
    click.echo(
        f"已训练 trained {name!r} on {len(records)} records ({user_count} with researcher labels, "
        f"{sum(1 for r in records if r.is_cbec is False)} not CBEC): "
        f"{len(model.type_models)} types, {learned_themes} themes, {learned_instruments} instruments, "
        f"relevance {'learned' if model.relevance_model is not None else 'not learned (lexicon decides)'}"
    )
    click.echo(f"保存至 saved to {path}")


@classify.command("stored")
@click.option("--force", is_flag=True, help="重新分类全部 reclassify every policy, not only unclassified ones")
@click.option("--model", default=None, help="已训练模型名 trained model name (default: 'default' when saved)")
@db_option
def stored_command(force: bool, model: str | None, db_url: str | None) -> None:
    """为库中政策补充相关性、政策工具与依据 Fill relevance, instruments and evidence of stored policies.

    Verified types and themes and a researcher's labels are kept; only missing values are filled.
    """
    # start-up: imported only when this command runs, so other commands and --help stay light
    from cbec_policy.classify import classify_policies

    classifier = chosen_classifier("hybrid", model)
    store = open_ready_store(db_url)
    try:
        pairs = classify_policies(store.list_policies(), classifier, force=force)
        outcomes = [store.save_policy(new) for _old, new in pairs]
    finally:
        store.close()
    changed = sum(1 for outcome in outcomes if outcome != "unchanged")
    click.echo(f"已分类 classified {len(pairs)} policies, {changed} changed")


# ---------------------------------------------------------------------- labels


@click.group("labels")
def labels() -> None:
    """研究者标注 A researcher's own coding: import and export (id or doc_number, type, themes, instruments)."""


@labels.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@db_option
def labels_import_command(file: Path, db_url: str | None) -> None:
    """导入标注 Import labels from FILE.csv; every row is checked first, then all are written."""
    # start-up: imported only when this command runs, so other commands and --help stay light
    from cbec_policy.classify import import_labels

    store = open_ready_store(db_url)
    try:
        outcomes = import_labels(file, store)
    finally:
        store.close()
    counts: dict[str, int] = {}
    for _policy_id, outcome in outcomes:
        counts[outcome] = counts.get(outcome, 0) + 1
    summary = ", ".join(f"{outcome} {count}" for outcome, count in sorted(counts.items()))
    click.echo(f"已导入 imported {len(outcomes)} labelled policies ({summary})")


@labels.command("export")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="写入文件 write to this file instead of standard output")  # fmt: skip
@click.option("--researcher-only", is_flag=True, help="只导出研究者标注 only policies a researcher labelled")
@db_option
def labels_export_command(output: Path | None, researcher_only: bool, db_url: str | None) -> None:
    """导出标注 Export the labels of stored policies as CSV (the import format)."""
    # start-up: imported only when this command runs, so other commands and --help stay light
    from cbec_policy.classify import export_csv, researcher_labelled

    store = open_ready_store(db_url)
    try:
        policies = store.list_policies()
    finally:
        store.close()
    if researcher_only:
        policies = [p for p in policies if researcher_labelled(p) is not None]
    text = export_csv(policies)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"已写入 wrote {len(policies)} rows to {output}", err=True)


def register(cli: click.Group) -> None:
    """Add the ``classify`` and ``labels`` groups to the ``cbec`` command."""
    classify.add_command(evaluate_command, "evaluate")
    cli.add_command(classify, "classify")
    cli.add_command(labels, "labels")
