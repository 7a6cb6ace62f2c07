"""The figures' text alternatives: each states the numbers its figure draws,
in words a screen reader and a phone's stacked panels both read right."""

import re

import numpy as np

from recdemo import claims, figures
from recdemo.data import DataConfig, make_dataset
from recdemo.metrics import METRICS
from recdemo.params import COST_STRATEGIES
from recdemo.step_cost import StepCost
from recdemo.train import TrainConfig, train
from recdemo.wording import rest_and_share, significant


def test_each_text_alternative_states_the_numbers_its_figure_draws(run):
    """A chart's words for a screen reader are computed from what it draws,
    so they cannot say something the picture does not."""
    data, result = run
    spec = figures.training_curves_figure(result).to_dict()
    alt = figures.training_curves_alt(result)
    loss, *metrics = [figures.array_values(t["y"]) for t in spec["data"]]
    assert f"{loss[0]:.3g} in epoch 1 and {loss[-1]:.3g} in epoch" in alt
    for trace, values in zip(spec["data"][1:], metrics, strict=True):
        assert f"{trace['name']} {values[0]:.2f} to {values[-1]:.2f}" in alt

    shares = figures.negatives_figure(data, result).to_dict()["frames"][-1]["data"][0]["text"]
    own = {figures.group_name(g): shares[g][g] for g in range(data.n_groups)}  # "17%"
    said = re.search(r"(\d+%) \((\w+)\) to (\d+%) \((\w+)\)", figures.negatives_alt(data, result))
    low, low_group, high, high_group = said.groups()
    assert own[low_group] == low == min(own.values(), key=lambda v: int(v[:-1]))
    assert own[high_group] == high == max(own.values(), key=lambda v: int(v[:-1]))

    runs = {"a": result, "b": train(data, TrainConfig(epochs=3, strategy="positives-only"))}
    titles = [a["text"] for a in figures.small_multiples_figure(data, runs).to_dict()[
        "layout"]["annotations"] if a["text"].startswith("<b>")]
    alt = figures.small_multiples_alt(data, runs.values())
    for title in titles:
        label, value = title.split("</b>")[0][3:], title.split(" = ")[1][:4]
        assert f"{label}: spurious@{result.config.k} {value}" in alt

    summaries = [r.summary() for r in runs.values()]
    bars = figures.metrics_bar_figure(summaries, {}).to_dict()["data"]
    alt = figures.metrics_bar_alt(summaries, {})
    for bar, metric in zip(bars, METRICS, strict=True):
        values = dict(zip(figures.array_values(bar["y"]), figures.array_values(bar["x"]),
                          strict=True))
        low = min(values.values())  # named with every strategy that reads as it does
        lowest = " and ".join(name for name, value in values.items()
                              if f"{value:.2f}" == f"{low:.2f}")
        said = (f"every strategy {low:.2f}" if len({f"{v:.2f}" for v in values.values()}) == 1
                else f"lowest {lowest} {low:.2f}")
        assert f"{figures.metric_label(metric, result.config.k)}: {said}" in alt

    # A metric a page leaves out is neither drawn nor said (a review's links: an
    # empty panel of within-group recall, "Bars of 4 metrics" listing 3, the
    # curves' text giving the recall its caption had left out).
    three = tuple(m for m in METRICS if m != "within_group_recall_at_k")
    without = [{**row, "within_group_recall_at_k": None} for row in summaries]
    bars = figures.metrics_bar_figure(without, {}).to_dict()
    assert [a["text"] for a in bars["layout"]["annotations"]][:3] == [
        figures.metric_label(m, result.config.k) for m in three]
    assert len(bars["data"]) == 3
    said = figures.metrics_bar_alt(without, {})
    assert said.startswith("Bars of 3 metrics") and "within-group" not in said
    curves = figures.training_curves_figure(result, metrics=three).to_dict()["data"]
    assert [t["name"] for t in curves[1:]] == [figures.metric_label(m, result.config.k)
                                             for m in three]
    assert "within-group" not in figures.training_curves_alt(result, three)

    # Ties are named together (a review's link: "lowest full 0.00" where six tied).
    tied = [{"strategy": name, "k": 5, **dict.fromkeys(METRICS, value)}
            for name, value in (("full", 0.0), ("uniform", 0.0), ("hard", 0.25))]
    alt = figures.metrics_bar_alt(tied, {})
    assert "spurious@5: lowest full and uniform 0.00, highest hard 0.25" in alt
    assert "every strategy 0.00" in figures.metrics_bar_alt(tied[:2], {})
    # Named together where two decimals read alike (a review's /compare: "highest
    # in-group 0.68" beside full's 0.6819 and in-batch's 0.6808).
    close = [{"strategy": name, "k": 5, **dict.fromkeys(METRICS, value)}
             for name, value in (("full", 0.6819), ("in-group", 0.6836), ("hard", 0.25),
                                 ("in-batch", 0.6808))]
    alt = figures.metrics_bar_alt(close, {})
    assert "lowest hard 0.25, highest full, in-group and in-batch 0.68" in alt, alt
    assert "every strategy 0.68" in figures.metrics_bar_alt(close[:2], {})

    heatmap = figures.interaction_matrix_figure(data).to_dict()["data"][0]
    drawn = int(np.isfinite(np.array(figures.array_values(heatmap["z"]), dtype=float)).sum())
    assert f"each of the {drawn:,} interactions" in figures.interaction_matrix_alt(data)

    costs = [StepCost(strategy, n, 0.0, 1e-3 * n ** 0.5, 0.9e-3 * n ** 0.5, 1.1e-3 * n ** 0.5,
                      10, 5, 100)
             for strategy in COST_STRATEGIES for n in (1_000, 100_000)]
    alt = figures.step_cost_alt(costs)
    for trace in figures.step_cost_figure(costs).to_dict()["data"]:
        first, last = figures.array_values(trace["y"])[0], figures.array_values(trace["y"])[-1]
        assert f"{trace['name']}: {significant(first)} ms (" in alt
        assert f"at 1,000 items, {significant(last)} ms (" in alt


def test_the_step_cost_alt_says_what_the_page_says():
    """A review's /why-sample?largest_corpus=10000: the alt gave hard "10.3 ms at
    1,000 items, 12.5 ms at 10,000 (1.22 times)" where the page said "no change
    beyond the spread of the repeats"."""
    def cost(strategy, n_items, median, low, high):
        return StepCost(strategy, n_items, median, median, low, high, 0, 0, 0)

    costs = [cost("hard", 1_000, 0.0103, 0.0096, 0.0157),
             cost("hard", 10_000, 0.0125, 0.0115, 0.0145),
             cost("full", 1_000, 0.002, 0.0019, 0.0021), cost("full", 10_000, 0.02, 0.019, 0.021),
             cost("uniform", 1_000, 0.001, 0.0009, 0.0011)]
    alt = figures.step_cost_alt(costs)
    growth = [claim for claim in claims.step_cost_claims(costs) if claim.text.startswith("**")]
    assert [claim.text.split("**")[1] for claim in growth] == ["hard", "full"]
    for claim in growth:
        assert claim.text.replace("**", "") in alt
    assert "no change beyond the spread" in alt and "1.22" not in alt
    assert "uniform: 1.00 ms at 1,000 items." in alt, "measured at one size: its time"


def test_the_interaction_matrix_says_no_leak_where_it_draws_none():
    """A review's link, /groups?leak=0&positives=1: "the dots off the diagonal
    are the leak" where there are none."""
    data = make_dataset(DataConfig(leak=0.0, positives=1))
    assert "none is off it, none leaks." in figures.interaction_matrix_alt(data)
    caption = figures.groups.interaction_matrix_caption(data)
    assert "off the diagonal are the leak" not in caption and "none of the interactions" in caption
    assert "the dots off the diagonal are the leak." in figures.groups.interaction_matrix_caption(
        make_dataset(DataConfig()))


def test_the_interaction_matrix_alt_says_shares_that_add_up_to_all():
    """A review's link, /groups?groups=2&items_per_group=10&positives=10&leak=0.5:
    46.5% of the drawn interactions leak, which the alt text gave as 53% on the
    diagonal and 46% off it, 99% of the interactions."""
    data = make_dataset(DataConfig(groups=2, items_per_group=10, positives=10, leak=0.5))
    alt = figures.interaction_matrix_alt(data)
    own, off = (int(share) for share in re.findall(r"(\d+)% (?:of them fall|are off)", alt))
    assert own + off == 100, alt
    # A sentence of its own: "Over 99% of them", not "over 99%" (/groups?leak=0.001).
    alt = figures.interaction_matrix_alt(make_dataset(DataConfig(leak=0.001)))
    assert "interactions. Over 99% of them fall in the blocks" in alt, alt


def test_the_negatives_alt_never_rounds_a_correlation_to_a_perfect_one():
    """A review's link, /train?strategy=uniform&negatives=50&groups=2&items_per_group=10:
    each item's negatives against its popularity, correlation -0.998, read "-1.00"."""
    data = make_dataset(DataConfig(groups=2, items_per_group=10))
    result = train(data, TrainConfig(strategy="uniform", negatives=50))
    alt = figures.negatives_alt(data, result)
    assert "correlation -0.998" in alt, alt


def test_the_negatives_alt_names_no_range_where_every_group_has_the_same_share():
    """A review's link, /train?strategy=in-group&items_per_group=10&positives=10:
    every group's negatives all from its own group, said "100% (blue) to 100% (blue)"."""
    data = make_dataset(DataConfig(items_per_group=10, positives=10))
    result = train(data, TrainConfig(strategy="in-group", epochs=2))
    alt = figures.negatives_alt(data, result)
    assert "from the query's own group, 100% for every group, 17% if spread evenly" in alt, alt


def test_the_negatives_alt_says_how_many_epochs_drew_any():
    """A review's link, /train?strategy=uniform&switch_at=5&switch_to=positives-only:
    "over 15 epochs of training", where only the first 5 drew negatives."""
    data = make_dataset(DataConfig(groups=2))
    switched = train(data, TrainConfig(strategy="uniform", epochs=4, switch_at=1,
                                       switch_to="positives-only"))
    assert "over 4 epochs of training, 1 of which drew any. First panel" in figures.negatives_alt(
        data, switched)
    plain = train(data, TrainConfig(strategy="uniform", epochs=4))
    assert "over 4 epochs of training. First panel" in figures.negatives_alt(data, plain)


def test_the_training_curves_alt_of_one_epoch_gives_its_loss_once():
    """A review's link, /train?strategy=full&epochs=1: "the training loss, 4.67 in
    epoch 1 and 4.67 in epoch 1"."""
    data = make_dataset(DataConfig(groups=2))
    result = train(data, TrainConfig(strategy="uniform", epochs=1))
    alt = figures.training_curves_alt(result)
    assert f"the training loss, {result.losses[0]:.3g} in epoch 1. Second panel:" in alt, alt


def test_the_training_curves_of_a_switched_run_keep_its_two_losses_apart():
    """A review's link, /train?strategy=positives-only&switch_at=7: the loss
    went from 0.02 in epoch 7 to 4.90 in epoch 8, on one line, and the alt
    read "0.168 in epoch 1 and 2.23 in epoch 15": positives-only's sigmoid
    loss, then uniform's softmax loss, as if they were one."""
    data = make_dataset(DataConfig(groups=3, items_per_group=10, queries_per_group=20))
    result = train(data, TrainConfig(strategy="positives-only", switch_at=2, epochs=4))
    spec = figures.training_curves_figure(result).to_dict()
    losses = [t for t in spec["data"] if t["name"] == "loss"]
    assert [list(t["x"]) for t in losses] == [[1, 2], [3, 4]]
    assert [x["x0"] for x in spec["layout"]["shapes"]] == [2.5, 2.5]
    headings = [note["text"].replace("<br>", " ") for note in spec["layout"]["annotations"]]
    assert "training loss: a new loss from epoch\xa03" in headings, headings
    alt = figures.training_curves_alt(result)
    first, then = result.losses[:2], result.losses[2:]
    assert (f"the training loss, {first[0]:.3g} in epoch 1 and {first[1]:.3g} in epoch 2, "
            f"then, a new loss after the switch, {then[0]:.3g} in epoch 3 and {then[1]:.3g} in "
            "epoch 4. Second panel:") in alt, alt
    plain = figures.training_curves_figure(train(data, TrainConfig(epochs=2))).to_dict()
    assert len([t for t in plain["data"] if t["name"] == "loss"]) == 1
    assert "shapes" not in plain["layout"]


def test_no_text_alternative_places_a_panel_left_or_right():
    """A review: "Left: ... Right: ..." where a phone stacks the two panels."""
    data = make_dataset(DataConfig(groups=3, items_per_group=10, queries_per_group=20))
    result = train(data, TrainConfig(epochs=2))
    for alt in (figures.embedding_alt(data, result, 2), figures.negatives_alt(data, result),
                figures.training_curves_alt(result), figures.group_sizes_alt(data)):
        assert "Left" not in alt and "Right" not in alt, alt
        assert "First panel" in alt and "Second panel" in alt, alt


def test_the_interaction_matrix_alt_gives_the_pages_leak_where_its_own_reads_otherwise():
    """A review's link, /groups?positives=1&leak=0.5&seed=999: the alt said 52%
    of the drawn interactions are off the diagonal, the page's text 47.5% leak
    (of every training query; the picture draws up to 50 of each group)."""
    data = make_dataset(DataConfig(positives=1, leak=0.5, seed=999))
    alt = figures.interaction_matrix_alt(data)
    drawn = int(re.search(r"(\d+)% are off it", alt).group(1))
    whole = rest_and_share(data.measured_leak, decimals=1)[1]
    assert drawn != round(100 * data.measured_leak), "the case the review found"
    assert alt.endswith(f"Of all {len(data.train):,} training queries' positives, {whole} "
                        "leak, the share the page gives."), alt
    # Where the two read alike, one share is enough.
    assert "Of all" not in figures.interaction_matrix_alt(make_dataset(DataConfig()))
