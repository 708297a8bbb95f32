"""A period of a framework in words: its name in one language and its span."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cbec_policy.analysis import PERIOD_OUTSIDE, PERIOD_UNKNOWN
from cbec_policy.i18n.codes import UNKNOWN_LABEL, tr


def period_label(frameworks: Iterable[Any], framework_key: str, period_key: str, lang: str) -> str:
    """Readable name of a period key in a framework (handles ``outside`` and ``unknown``).

    The names are data (``analysis/periods.yaml``); a key the frameworks do not hold is shown as it is.
    """
    if period_key == PERIOD_OUTSIDE:
        return tr("不在任何阶段", "outside every period", lang)
    if period_key == PERIOD_UNKNOWN:
        return UNKNOWN_LABEL[lang]
    for framework in frameworks:
        if framework.key == framework_key:
            for period in framework.periods:
                if period.key == period_key:
                    return f"{tr(period.zh, period.en, lang)} ({period.span_text()})"
    return period_key
