"""How a number is written on a page, in a sentence or a cell: a metric to
two decimals that never reads 0.00 or 1.00 for a share that is neither
(fmt), a column's format (table_format), a count with its noun (quantity),
a share as a percent (percent, rest_and_share), a time or a ratio to three
significant digits (significant). claims.py, the figures and the CLI's
cost table write numbers with these, so one number reads alike everywhere
(the CLI's run tables give every metric to three decimals).
"""

from __future__ import annotations


def fmt(value: float, short: bool = False) -> str:
    """A metric as shown: 2 decimals, never "-0.00", and never 0.00 or 1.00
    for a share that is not exactly that (beside the oracle's 1.00, an AUC of
    0.9967 shown as 1.00 reads as perfect): 0.9967 is "0.997", and past three
    decimals "over 0.999" (">0.999" if ``short``, for a cell); likewise
    "0.003" and "under 0.001", and a correlation of -0.998 is "-0.998", not
    -1.00."""
    shown = round(value, 2) + 0.0
    if -1 < value < 0 and shown == -1.0:
        if round(value, 3) != -1.0:
            return f"{value:.3f}"
        return "<-0.999" if short else "under -0.999"
    if not 0 < value < 1 or shown not in (0.0, 1.0):
        return f"{shown:.2f}"
    if round(value, 3) not in (0.0, 1.0):
        return f"{value:.3f}"
    if value < 0.5:
        return "<0.001" if short else "under 0.001"
    return ">0.999" if short else "over 0.999"


def table_format(values) -> str:
    """A table column's number format, as fmt writes one number: two decimals,
    or as many more (up to four) as it takes for no share strictly between 0
    and 1 to show as 0.00 or 1.00 (the oracle's spurious@10 of 0.00056 is
    "0.001"). The cells stay numbers, so the column still sorts."""
    shares = [v for v in values if v is not None and 0 < v < 1]
    for decimals in (2, 3):
        if all(round(v, decimals) not in (0.0, 1.0) for v in shares):
            return f"%.{decimals}f"
    return "%.4f"


def as_shown(rows: list[dict], formats: dict) -> list[dict]:
    """``rows`` with the numbers of each column in ``formats`` (name ->
    "%.3f") rounded to the decimals shown: a table's cell then holds what it
    shows, and a screen reader, which reads the cell's value, says 0.08 where
    the screen does, not 0.0788888888888889. None and NaN stay as they are."""
    def shown(value, form):
        return value if value is None else round(value, int(form.removeprefix("%.")[:-1]))
    return [{name: shown(value, formats[name]) if name in formats else value
             for name, value in row.items()} for row in rows]


def listed(names: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    return " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)


def quantity(number: int, noun: str) -> str:
    """A count with its noun: "1 epoch", "7 epochs"."""
    return f"{number} {noun if number == 1 else noun + 's'}"


def percent(share: float, short: bool = False, decimals: int = 0) -> str:
    """A share as a percent with ``decimals``, never rounded to 0% or 100% when
    it is not exactly that: 0.0006 is "under 1%" ("<1%" if ``short``, for a
    cell), not "0%" (which reads as none); with one decimal, "under 0.1%"."""
    step = 10.0 ** -decimals / 100  # the smallest share shown
    # Rounded as fmt rounds (the float's own digits), then written as a percent:
    # "%" multiplies first, and 0.11499999999999999 * 100 is 11.5, "12%" beside 0.11.
    rounded = round(share, decimals + 2)
    if 0 < share and rounded == 0:
        return f"<{step:.{decimals}%}" if short else f"under {step:.{decimals}%}"
    if share < 1 and rounded == 1:
        return f">{1 - step:.{decimals}%}" if short else f"over {1 - step:.{decimals}%}"
    return f"{rounded:.{decimals}%}"


def rest_and_share(share: float, decimals: int = 0) -> tuple[str, str]:
    """1 - share and share as percents that add up to 100% (each rounded on
    its own, 94.85% and 5.15% read 94.8% and 5.1%): the share rounded, the
    rest what is left of 100%; a share too small to show keeps percent's
    "under" and "over"."""
    rounded = round(share, decimals + 2)  # as percent rounds
    if rounded in (0.0, 1.0):
        return percent(1 - share, decimals=decimals), percent(share, decimals=decimals)
    return percent(1 - rounded, decimals=decimals), percent(rounded, decimals=decimals)


def significant(value: float) -> str:
    """Three significant digits, a trailing zero kept (0.180 beside 0.124), never
    in exponent form: 5.06, 0.0123, 0.0000123, 1,920."""
    rounded = float(f"{value:.3g}")  # 99.96 is 100: then no decimals
    if not 0 < abs(rounded) < 100:  # 0, 100 and more, or not a number
        return f"{rounded:,.0f}"
    return f"{rounded:.{2 - int(f'{rounded:e}'.partition('e')[2])}f}"
