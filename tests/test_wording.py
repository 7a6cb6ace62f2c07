"""Numbers as the pages write them (recdemo/wording.py): never a share of
none or all that is not, never perfect short of it, never an exponent."""

from __future__ import annotations

import numpy as np

from recdemo import wording


def test_times_in_three_significant_digits_never_in_exponent_form():
    assert [wording.significant(v) for v in (5.0612, 0.012345, 378.8, 1920.4)] == [
        "5.06", "0.0123", "379", "1,920"]
    # A review's /exercises?exercise=2: "0.18 CPU seconds, uniform 0.124", and the
    # cost command's tiny amounts: the zero that is a digit kept, no "1.23e-05".
    assert [wording.significant(v) for v in (0.18, 9.996, 1.234e-5, 0.0)] == [
        "0.180", "10.0", "0.0000123", "0"]


def test_counts_and_shares_as_written():
    assert [wording.quantity(n, "epoch") for n in (0, 1, 7)] == ["0 epochs", "1 epoch", "7 epochs"]
    # One decimal: never 0.0% or 100.0% for a share that is neither.
    assert wording.percent(0.000292, decimals=1) == "under 0.1%"
    assert wording.percent(1 - 0.000292, decimals=1) == "over 99.9%"
    assert wording.percent(0.0004, short=True, decimals=1) == "<0.1%"
    assert wording.percent(0.0513, decimals=1) == "5.1%"
    assert wording.percent(0.0, decimals=1) == "0.0%" and wording.percent(1.0) == "100%"


def test_a_share_and_the_rest_add_up_to_100_percent():
    # A review's link (/groups?seed=7): 94.8% and 5.1% of a measured 0.0515.
    assert wording.rest_and_share(0.0515, decimals=1) == ("94.9%", "5.1%")
    assert wording.rest_and_share(0.0485, decimals=1) == ("95.1%", "4.9%")  # 0.04850…01
    assert wording.rest_and_share(0.25) == ("75%", "25%")
    assert wording.rest_and_share(0.000292, decimals=1) == ("over 99.9%", "under 0.1%")
    assert wording.rest_and_share(0.0, decimals=1) == ("100.0%", "0.0%")
    for share in np.linspace(0.0006, 0.9994, 997):
        rest, part = (float(text.rstrip("%")) for text in wording.rest_and_share(share, 1))
        assert abs(rest + part - 100) < 1e-9 and abs(part - 100 * share) <= 0.05 + 1e-9


def test_a_metric_short_of_perfect_is_never_shown_as_perfect():
    """A review: an AUC of 0.9967 read "1.00" beside the oracle's 1.00."""
    assert wording.fmt(0.9967) == "0.997" and wording.fmt(0.0033) == "0.003"
    assert wording.fmt(0.99961) == "over 0.999" and wording.fmt(0.00031) == "under 0.001"
    assert (wording.fmt(0.99961, short=True), wording.fmt(0.0003, short=True)) == (">0.999",
                                                                              "<0.001")
    assert [wording.fmt(v) for v in (1.0, 0.0, 0.5, 0.994, 0.0051, -0.0004, -0.25)] == [
        "1.00", "0.00", "0.50", "0.99", "0.01", "0.00", "-0.25"]
    for value in np.linspace(0.0001, 0.9999, 9999):  # a share strictly between 0 and 1
        assert wording.fmt(value) not in ("0.00", "1.00", "0.000", "1.000"), value
    # A correlation short of -1 (a review's link, /train?strategy=uniform&negatives=50&groups=2
    # &items_per_group=10: "correlation -1.00" for -0.998).
    assert [wording.fmt(v) for v in (-0.998, -0.9996, -1.0, -0.994)] == [
        "-0.998", "under -0.999", "-1.00", "-0.99"]


def test_a_share_is_never_rounded_to_none_or_all():
    assert [wording.percent(x) for x in (0.0, 0.0006, 0.004, 0.005, 0.006, 0.5, 0.996, 1.0)] == [
        "0%", "under 1%", "under 1%", "1%", "1%", "50%", "over 99%", "100%"]  # 0.005: fmt's 0.01
    assert [wording.percent(x, short=True) for x in (0.0, 0.003, 0.997, 1.0)] == [
        "0%", "<1%", ">99%", "100%"]



def test_a_share_as_a_percent_reads_as_the_same_number_to_two_decimals():
    """A review's link (/train?seed=233&strategy=popularity&popularity_skew=2&groups=2
    &items_per_group=12&queries_per_group=15): the oracle "recommends 12% from other
    groups here (spurious@10 0.11)", of 0.11499999999999999."""
    assert (wording.percent(0.11499999999999999), wording.fmt(0.11499999999999999)) == (
        "11%", "0.11")
    shares = [*map(float, np.linspace(0.005, 0.994, 9891)),
              *(i / 1000 - 1e-17 for i in range(6, 995))]
    for share in shares:
        assert float(wording.percent(share).rstrip("%")) == round(100 * float(
            wording.fmt(share))), share
        assert wording.rest_and_share(share)[1] == wording.percent(share), share


def test_a_table_cell_holds_the_number_it_shows():
    rows = [{"strategy": "uniform", "spurious_at_k": 0.0788888888888889, "auc": 0.91234,
             "cpu": None}, {"strategy": "full", "spurious_at_k": float("nan"), "auc": 0.5,
                            "cpu": 1.23456}]
    shown = wording.as_shown(rows, {"spurious_at_k": "%.2f", "auc": "%.3f", "cpu": "%.1f"})
    assert shown[0] == {"strategy": "uniform", "spurious_at_k": 0.08, "auc": 0.912, "cpu": None}
    assert np.isnan(shown[1]["spurious_at_k"]) and (shown[1]["auc"], shown[1]["cpu"]) == (0.5,
                                                                                          1.2)
    assert rows[0]["spurious_at_k"] == 0.0788888888888889, "the rows given are left as they are"


def test_a_table_column_never_shows_a_share_as_none_or_all():
    """A review's link, /compare?seed=11: the oracle's spurious@10 of 0.000556
    was "0.00" in the table, "under 1% (0.001)" in the sentence below it."""
    assert wording.table_format([0.83, 0.12, 0.0, 1.0, None, float("nan")]) == "%.2f"
    assert wording.table_format([0.83, 0.004]) == "%.3f"
    assert wording.table_format([0.83, 0.000556]) == "%.3f"  # 0.001
    assert wording.table_format([0.83, 0.0004]) == "%.4f"
    assert wording.table_format([0.9967, 0.5]) == "%.3f"
    assert wording.table_format([0.99996]) == "%.4f"  # as far as a cell goes
