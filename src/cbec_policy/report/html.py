"""Write the report as ONE self-contained ``index.html``: CSS inline, figures inlined as base64
PNG, no script and no external request of any kind, every stored text escaped by Jinja2.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from cbec_policy.i18n import tr
from cbec_policy.report.document import Section

_ASSETS = Path(__file__).parent / "assets"


def _environment() -> Environment:
    # Autoescape: titles and notes come from ingested documents and must never become markup.
    return Environment(
        loader=FileSystemLoader(str(_ASSETS)),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
        trim_blocks=False,
        lstrip_blocks=False,
    )


def render_html(sections: Sequence[Section], lang: str, generated: str) -> str:
    """The full page as text."""
    images = {
        figure.key: base64.b64encode(figure.png_bytes).decode("ascii")
        for section in sections
        for figure in section.figures
    }
    template = _environment().get_template("index.html.j2")
    return template.render(
        lang=lang,
        title=tr("中国跨境电商政策分析报告", "China cross-border e-commerce policy report", lang),
        subtitle=tr(
            "论文结论的机器复算：阶段、演进、综试区与区域平衡、贸易影响",
            "The paper's findings recomputed: periods, evolution, pilot zones and regional balance, trade",
            lang,
        ),
        sections=sections,
        images=images,
        files_label=tr("文件", "files", lang),
        footer=tr(f"生成于 {generated}。", f"Generated {generated}.", lang),
    )


def write_html(sections: Sequence[Section], out_dir: Path, lang: str, generated: str) -> Path:
    """Write ``index.html`` into ``out_dir`` and return its path."""
    path = out_dir / "index.html"
    path.write_text(render_html(sections, lang, generated), encoding="utf-8")
    return path
