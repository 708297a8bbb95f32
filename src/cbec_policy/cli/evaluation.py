"""``cbec pmc`` (PMC index of policies) and ``cbec did`` (staggered DID of the pilot zones).

Thin commands over :mod:`cbec_policy.evaluation`: they parse options, open the store, call the
library and print.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cbec_policy.cli.options import db_option, open_ready_store
from cbec_policy.cli.output import _cell, emit_rows, format_option, to_csv, to_json
from cbec_policy.errors import InputError


def _scheme(name: str | None, order: str | None) -> Any:
    # start-up: imported only when this command runs, so other commands and --help stay light
    from cbec_policy.evaluation import load_scheme

    scheme = load_scheme(name)
    return scheme.with_surface_order(order) if order else scheme


def _write(text: str, out: str | None) -> None:
    if out is None:
        click.echo(text, nl=False)
        return
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8-sig")  # the BOM lets Excel read the Chinese headers
    click.echo(f"已写入 written: {target}", err=True)


def _wide_table(rows: list[dict[str, Any]], labels: dict[str, str], title: str | None = None) -> None:
    """A table that keeps its rows on one line when printed to a file or pipe (no 80-column wrap)."""
    # start-up: imported only when this command runs, so other commands and --help stay light
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for key in labels:
        table.add_column(labels[key], no_wrap=True)
    for row in rows:
        table.add_row(*(_cell(row.get(key)) for key in labels))
    console = Console(soft_wrap=False)
    if not console.is_terminal:
        console = Console(soft_wrap=False, width=200)
    console.print(table)


def _print_pmc(result: Any) -> None:
    scheme = result.scheme
    labels = {"rank": "排名", "policy": "政策 policy", "pmc": "PMC", "grade": "等级"}
    labels.update({p.code: p.code for p in scheme.primaries})
    rows = []
    for item in result.league():
        row = {
            "rank": item.score.rank,
            "policy": item.policy_id,
            "pmc": f"{item.score.pmc_rounded:.{scheme.decimals}f}",
            "grade": item.score.grade_zh,
        }
        row.update(item.score.primaries_rounded(2))
        rows.append(row)
    means = " ".join(f"{code} {value:.2f}" for code, value in result.means.items())
    legend = "；".join(f"{p.code} {p.zh}" for p in scheme.primaries)
    _wide_table(rows, labels, title=f"PMC 指数 {scheme.zh}")
    click.echo(f"{legend}\n各变量均值 means by variable: {means}")
    names = {v.code: v.zh for v in scheme.variables}
    for item in result.league():
        click.echo(
            f"\n{item.policy_id} {item.title}  PMC {item.score.pmc_rounded:.{scheme.decimals}f} {item.score.grade_zh}"
            f"  (读取 read: {item.text_source})"
        )
        for code, value in item.values.items():
            if not value:
                continue
            evidence = item.evidence.get(code, {})
            origin = "研究者 researcher" if item.origin[code] == "researcher" else evidence.get("method", "")
            click.echo(
                f"  {code} {names[code]} = 1  [{origin}; {evidence.get('field', '')}; "
                f"置信度 confidence {item.confidence[code]:.2f}]  {evidence.get('excerpt', '')}"
            )


def _write_pmc_figures(result: Any, directory: str) -> None:
    # start-up: imported only when this command runs, so other commands and --help stay light
    from cbec_policy.evaluation import pmc_comparison, pmc_surface, png_bytes
    from cbec_policy.report import find_cjk_font

    font = find_cjk_font()
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    (target / "pmc_comparison.png").write_bytes(png_bytes(pmc_comparison(result, font)))
    for item in result.policies:
        (target / f"pmc_surface_{item.policy_id}.png").write_bytes(png_bytes(pmc_surface(result, item, font)))
    click.echo(f"图已写入 figures written: {target} ({len(result.policies) + 1} files)", err=True)


def register(cli: click.Group) -> None:
    """Add the ``pmc`` and ``did`` groups to ``cbec``."""

    @cli.group("pmc")
    def pmc_group() -> None:
        """PMC 指数政策评价。 Policy Modeling Consistency index of policies."""

    @pmc_group.command("score")
    @db_option
    @click.argument("ids", nargs=-1)
    @click.option(
        "--scheme",
        "scheme_name",
        metavar="FILE|NAME",
        help="方案 bundled scheme name or YAML file (default cbec-default)",
    )
    @click.option(
        "--matrix", "matrix_path", metavar="FILE", help="研究者的 0/1 矩阵 CSV researcher's matrix (overrides coding)"
    )
    @click.option("--surface-order", type=click.Choice(["column", "row"]), help="曲面填充顺序 surface fill order")
    @click.option(
        "--figures", "figures_dir", metavar="DIR", help="写出 PMC 曲面图与比较图 write surface and comparison PNGs"
    )
    @format_option(choices=("table", "json"))
    def pmc_score(
        db_url: str | None,
        ids: tuple[str, ...],
        scheme_name: str | None,
        matrix_path: str | None,
        surface_order: str | None,
        figures_dir: str | None,
        output_format: str,
    ) -> None:
        """为政策打分并列出每个记 1 的二级变量的证据。 Score policies (IDS, default all CBEC policies)."""
        # start-up: imported only when this command runs, so other commands and --help stay light
        from cbec_policy.evaluation import pmc_from_store, read_matrix

        scheme = _scheme(scheme_name, surface_order)
        matrix = read_matrix(matrix_path, scheme) if matrix_path else None  # checked whole before any use
        with open_ready_store(db_url) as store:
            result = pmc_from_store(store, ids, scheme, matrix)
        if figures_dir:
            _write_pmc_figures(result, figures_dir)
        if output_format == "json":
            click.echo(to_json(result.to_dict()))
        else:
            _print_pmc(result)

    @pmc_group.command("export")
    @db_option
    @click.argument("ids", nargs=-1)
    @click.option("--scheme", "scheme_name", metavar="FILE|NAME", help="方案 bundled scheme name or YAML file")
    @click.option("--out", metavar="FILE", help="输出文件 output CSV (default stdout)")
    def pmc_export(db_url: str | None, ids: tuple[str, ...], scheme_name: str | None, out: str | None) -> None:
        """导出自动编码的 0/1 矩阵供研究者修改。 Export the automatic 0/1 matrix for a researcher to edit."""
        # start-up: imported only when this command runs, so other commands and --help stay light
        from cbec_policy.evaluation import pmc_from_store, write_matrix

        scheme = _scheme(scheme_name, None)
        with open_ready_store(db_url) as store:
            result = pmc_from_store(store, ids, scheme)
        _write(write_matrix(scheme, {p.policy_id: p.values for p in result.policies}), out)

    @cli.group("did")
    def did_group() -> None:
        """综试区多期双重差分。 Staggered difference-in-differences of the pilot zones."""

    @did_group.command("treatment")
    @db_option
    @click.option(
        "--cutoff-month",
        type=click.IntRange(1, 12),
        default=6,
        show_default=True,
        help="该月之后获批的从次年起计为处理 approvals after this month count from the next year",
    )
    @click.option(
        "--drop-revoked",
        is_flag=True,
        help="删除2025年撤销的综试区（默认意向处理） drop revoked zones (default: intention to treat)",
    )
    @click.option("--out", metavar="FILE", help="输出文件 output file (default stdout)")
    @format_option(default="csv", choices=("csv", "json", "table"))
    def did_treatment(
        db_url: str | None, cutoff_month: int, drop_revoked: bool, out: str | None, output_format: str
    ) -> None:
        """写出城市处理时点表（全部181个批复与从未处理的地级单位）。 Write the city treatment table."""
        # start-up: imported only when this command runs, so other commands and --help stay light
        from cbec_policy.evaluation import TREATMENT_COLUMNS, stored_treatment

        with open_ready_store(db_url) as store:
            rows = [row.as_dict() for row in stored_treatment(store, cutoff_month, drop_revoked=drop_revoked)]
        if output_format == "table":
            emit_rows(rows, {key: key for key in TREATMENT_COLUMNS}, "table")
        elif output_format == "json":
            _write(to_json(rows) + "\n", out)
        else:
            _write(to_csv(rows, list(TREATMENT_COLUMNS)), out)

    @did_group.command("estimate")
    @db_option
    @click.argument("panel", type=click.Path(dir_okay=False))
    @click.option("--unit", required=True, help="单位列 unit column (city code or name; mpdta: countyreal)")
    @click.option("--time", "time_column", required=True, help="时间列 period column (year)")
    @click.option("--outcome", required=True, help="结果变量列 outcome column")
    @click.option(
        "--group",
        metavar="COLUMN",
        help="面板自带的首次处理期列（0=从未处理） first-treated column; default: join the treatment table",
    )
    @click.option("--covariates", default="", metavar="A,B", help="协变量 covariates, comma-separated")
    @click.option(
        "--control",
        type=click.Choice(["never", "notyet"]),
        default="never",
        show_default=True,
        help="对照组 control group",
    )
    @click.option(
        "--method",
        type=click.Choice(["dr", "reg", "ipw"]),
        default="dr",
        show_default=True,
        help="估计方法 estimation method",
    )
    @click.option(
        "--drop-incomplete",
        is_flag=True,
        help="删除缺期单位以平衡面板 balance the panel by dropping units lacking periods",
    )
    @click.option(
        "--cutoff-month",
        type=click.IntRange(1, 12),
        default=6,
        show_default=True,
        help="处理时点规则（见 did treatment） treatment-year cut-off month",
    )
    @click.option(
        "--drop-revoked", is_flag=True, help="处理表中删除撤销的综试区 drop revoked zones from the treatment table"
    )
    @click.option("--figure", metavar="FILE", help="写出事件研究图 write the event-study PNG")
    @format_option(choices=("table", "json"))
    def did_estimate(
        db_url: str | None,
        panel: str,
        unit: str,
        time_column: str,
        outcome: str,
        group: str | None,
        covariates: str,
        control: str,
        method: str,
        drop_incomplete: bool,
        cutoff_month: int,
        drop_revoked: bool,
        figure: str | None,
        output_format: str,
    ) -> None:
        """Callaway & Sant'Anna ATT(g,t) 与四种汇总、平行趋势检验、TWFE 对照。 Estimate on PANEL.csv."""
        # start-up: imported only when this command runs, so other commands and --help stay light
        from cbec_policy.evaluation import PanelSpec, estimate_csv, stored_treatment

        spec = PanelSpec(
            unit=unit,
            time=time_column,
            outcome=outcome,
            group=group,
            covariates=tuple(c.strip() for c in covariates.split(",") if c.strip()),
            control=control,
            drop_incomplete=drop_incomplete,
            method=method,
        )
        if not Path(panel).is_file():
            raise InputError(panel, "no such panel file")
        treatment = None
        if group is None:
            with open_ready_store(db_url) as store:
                treatment = stored_treatment(store, cutoff_month, drop_revoked=drop_revoked)
        result = estimate_csv(panel, spec, treatment)
        if figure:
            # start-up: imported only when this command runs, so other commands and --help stay light
            from cbec_policy.evaluation import event_study, png_bytes
            from cbec_policy.report import find_cjk_font

            Path(figure).parent.mkdir(parents=True, exist_ok=True)
            Path(figure).write_bytes(png_bytes(event_study(result, find_cjk_font())))
            click.echo(f"图已写入 figure written: {figure}", err=True)
        if output_format == "json":
            click.echo(to_json(result.to_dict()))
            return
        _print_did(result)


def _print_did(result: Any) -> None:
    def cell(value: float | None) -> str:
        return "" if value is None else f"{value:.6f}"

    rows = [
        {"group": r["group"], "time": r["time"], "estimate": cell(r["estimate"]), "se": cell(r["se"])}
        for r in result.att_gt
    ]
    emit_rows(
        rows,
        {"group": "队列 group", "time": "时期 time", "estimate": "ATT(g,t)", "se": "标准误 SE"},
        "table",
        title=f"Callaway & Sant'Anna ATT(g,t)（对照 {result.control}，{result.method}）",
    )
    aggregate_rows = [
        {"kind": kind, "estimate": cell(value.estimate), "se": cell(value.se)}
        for kind, value in result.aggregations.items()
    ]
    aggregate_rows.append({"kind": "TWFE (static)", "estimate": cell(result.twfe.estimate), "se": cell(result.twfe.se)})
    emit_rows(aggregate_rows, {"kind": "汇总 aggregation", "estimate": "估计 estimate", "se": "标准误 SE"}, "table")
    dynamic = [
        {"e": r["event_time"], "estimate": cell(r["estimate"]), "se": cell(r["se"])} for r in result.details["dynamic"]
    ]
    emit_rows(dynamic, {"e": "事件时间 event time", "estimate": "ATT", "se": "标准误 SE"}, "table")
    p_value = result.pretrend.get("p_value")
    click.echo(
        f"平行趋势检验 pre-trend Wald test: stat {cell(result.pretrend.get('wald_stat'))}, "
        f"p = {cell(p_value)} ({result.pretrend['pre_periods']} pre-period ATT(g,t))"
    )
    click.echo(
        f"单位 units {result.n_units}; 队列 cohorts {result.cohorts}; "
        f"时期 periods {result.periods[0]}–{result.periods[-1]}"
    )
    for note in result.notes:
        click.echo(f"注 note: {note}")
