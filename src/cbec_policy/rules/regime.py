"""The regime choice for CBEC retail import orders, vectorised: one copy for one order and for millions.

Per order (arrays of equal length): the customs declaration day, the dutiable value in
fen, the number of items and the buyer's CBEC total of the year before the order (fen).
Parameters are read with :meth:`~cbec_policy.rules.parameters.Parameter.lookup`, the same
lookup the single-order path uses. Paths, in :data:`PATHS` order:

- 0 ``cbec_within_limits`` — value within the single limit, and the year's total with it
  within the annual limit: tariff 0, VAT and consumption tax at 70 %;
- 1 ``cbec_full_tax`` — from 2019-01-01 (财关税〔2018〕49号) one item alone over the single
  limit but BELOW 26,000 (低于26000元), the year's total within the annual limit: taxed in
  full at the goods rates, and counted towards the year;
- 2 ``general_trade`` — everything else over a limit: taxed in full as general trade, not
  counted. An order of several items over the single limit is general trade (18号, kept by
  49号 clause 4; inferred).

A value equal to the single or the annual limit counts as within it (the texts say 超过,
"exceeds"; an assumption shown as a caveat).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cbec_policy.rules.parameters import ParameterSet

PATH_WITHIN = "cbec_within_limits"
PATH_FULL = "cbec_full_tax"
PATH_GENERAL = "general_trade"
PATHS = (PATH_WITHIN, PATH_FULL, PATH_GENERAL)
# Parameters the regime reads; their dates are the rule changes the horizon caveat names.
REGIME_KEYS = (
    "single_limit_cny", "annual_limit_cny", "single_item_full_tax_channel", "single_item_channel_below_cny",
    "collection_ratio_within_limits", "tariff_rate_within_limits",
)  # fmt: skip


@dataclass
class Regime:
    """The path of each order and the dated values it rests on (limits in fen)."""

    path: np.ndarray  # int8 index into PATHS
    covered: np.ndarray  # bool: a CBEC regime exists on the day
    single_fen: np.ndarray  # int64
    annual_fen: np.ndarray  # int64
    ratio: np.ndarray  # float64 collection ratio on the path (0.7 within, 1 otherwise)
    within_tariff: np.ndarray  # float64 tariff rate within the limits
    counts: np.ndarray  # bool: the order counts towards the buyer's year


def _fen(params: ParameterSet, key: str, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    values, covered = params[key].values_array(days)
    return np.rint(values * 100).astype(np.int64), covered


def limits(params: ParameterSet, days: np.ndarray) -> dict[str, np.ndarray]:
    """The limits in force on each day, in fen, and whether a CBEC regime exists then."""
    single, covered = _fen(params, "single_limit_cny", days)
    annual, _ = _fen(params, "annual_limit_cny", days)
    channel, _ = params["single_item_full_tax_channel"].values_array(days)
    below, has_below = _fen(params, "single_item_channel_below_cny", days)
    return {
        "covered": covered,
        "single": single,
        "annual": annual,
        "channel": (channel > 0) & has_below,
        "below": below,
    }


def single_ok(lim: dict[str, np.ndarray], value_fen: np.ndarray, items: np.ndarray) -> np.ndarray:
    """Orders the single-transaction rule lets through the CBEC channel (within, or one item below 26,000)."""
    over = value_fen > lim["single"]
    alone = lim["channel"] & (items == 1) & (value_fen < lim["below"])
    return ~over | alone


def choose(
    params: ParameterSet, days: np.ndarray, value_fen: np.ndarray, items: np.ndarray, before_fen: np.ndarray
) -> Regime:
    """The path of each order on its declaration day (``datetime64[D]`` days)."""
    lim = limits(params, days)
    ok = single_ok(lim, value_fen, items)
    general = ~ok | (before_fen + value_fen > lim["annual"])
    over = value_fen > lim["single"]
    path = np.where(general, 2, np.where(over, 1, 0)).astype(np.int8)
    ratio_table, _ = params["collection_ratio_within_limits"].values_array(days)
    tariff_table, _ = params["tariff_rate_within_limits"].values_array(days)
    within = path == 0
    return Regime(
        path=path,
        covered=lim["covered"],
        single_fen=lim["single"],
        annual_fen=lim["annual"],
        ratio=np.where(within, ratio_table, 1.0),
        within_tariff=tariff_table,
        counts=~general,
    )
