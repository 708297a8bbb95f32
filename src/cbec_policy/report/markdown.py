"""Write the report as ``report.md``: the same sections as the HTML, figures linked as PNG files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cbec_policy.cells import markdown_safe
from cbec_policy.i18n import tr
from cbec_policy.report.document import Section
from cbec_policy.report.table_writers import to_markdown


def render_markdown(sections: Sequence[Section], lang: str, generated: str) -> str:
    """The report as Markdown text."""
    lines = [f"# {tr('中国跨境电商政策分析报告', 'China cross-border e-commerce policy report', lang)}", ""]
    lines += [tr(f"生成于 {generated}。", f"Generated {generated}.", lang), ""]
    for section in sections:
        lines += [f"## {markdown_safe(section.title)}", ""]
        for paragraph in section.paragraphs:
            lines += [markdown_safe(paragraph), ""]  # stored text may hold HTML: shown, never run
        for claim, _code, label in section.verdicts:
            lines.append(f"- **{label}** — {markdown_safe(claim)}")
        if section.verdicts:
            lines.append("")
        for figure in section.figures:
            lines += [f"![{markdown_safe(figure.title)}](figures/{figure.key}.png)", ""]
        for key, table in section.tables:
            lines += [to_markdown(table).rstrip("\n"), "", f"CSV: `tables/{key}.csv`", ""]
    return "\n".join(lines)


def write_markdown(sections: Sequence[Section], out_dir: Path, lang: str, generated: str) -> Path:
    """Write ``report.md`` into ``out_dir`` and return its path."""
    path = out_dir / "report.md"
    path.write_text(render_markdown(sections, lang, generated), encoding="utf-8")
    return path
