"""Matrix factorization as a recommender (recdemo/mf.py), two stages
(recdemo/two_stage.py) and serving (recdemo/serving.py): the cold starts, the
result the figures draw, new items, the two-stage pipeline and its claim, and
that every way of serving answers what the embeddings say."""

from functools import cache

import numpy as np
import plotly.graph_objects as go
import pytest

from recdemo import figures
from recdemo.data import DataConfig, make_dataset
from recdemo.export import history_csv, history_json
from recdemo.metrics import METRICS, all_metrics, top_k
from recdemo.mf import (
    L2,
    SWEEPS,
    MFConfig,
    cold_start_split,
    items_without_interactions,
    rescored,
    similar_training_queries,
    train_mf,
)
from recdemo.serving import answerers, serving_seconds
from recdemo.train import TrainConfig, train
from recdemo.two_stage import two_stage
from recdemo.wals import interaction_matrix, solve_rows

SMALL = DataConfig(groups=3, items_per_group=10, queries_per_group=30, test_queries_per_group=8)


@cache
def dataset(**changes):
    return make_dataset(DataConfig(**{**SMALL.__dict__, **changes}))


@cache
def mf_run(w0=0.05, cold_start="fold-in", **data):
    return train_mf(dataset(**data), MFConfig(unobserved_weight=w0, cold_start=cold_start))


# ---------------------------------------------------------------- cold start

@pytest.mark.parametrize("positives", [1, 2, 5])
def test_each_test_querys_positives_are_split_into_known_and_scored(positives):
    data = dataset(positives=positives)
    split = cold_start_split(data)
    assert split.known.shape == (len(data.test), positives // 2)
    assert split.scored.positives.shape == (len(data.test), positives - positives // 2)
    for known, scored, original in zip(split.known, split.scored.positives, data.test.positives,
                                       strict=True):
        assert not set(known) & set(scored)
        assert set(known) | set(scored) == set(original)
    np.testing.assert_allclose(split.scored.weights.sum(axis=1), 1.0)
    np.testing.assert_array_equal(split.scored.groups, data.test.groups)


def test_the_split_is_the_same_for_the_same_data():
    first, second = cold_start_split(dataset()), cold_start_split(dataset())
    np.testing.assert_array_equal(first.known, second.known)
    assert not np.array_equal(first.known, cold_start_split(dataset(seed=1)).known)


def test_fold_in_solves_each_test_query_from_the_items_it_brings():
    data, result = dataset(), mf_run()
    known = interaction_matrix(cold_start_split(data).known, data.n_items)
    expected = solve_rows(known, result.item_embeddings, 0.05, L2)
    np.testing.assert_allclose(result.query_embeddings, expected, atol=1e-12)


def test_average_is_the_mean_row_of_the_most_similar_training_queries():
    data, result = dataset(), mf_run(cold_start="average")
    neighbors = similar_training_queries(data)
    test, train_ = (x / np.linalg.norm(x, axis=1, keepdims=True)
                    for x in (data.test.features, data.train.features))
    cosine = test @ train_.T
    kth_best = np.sort(cosine, axis=1)[:, -neighbors.shape[1]]
    assert (np.take_along_axis(cosine, neighbors, axis=1) >= kth_best[:, None]).all()
    np.testing.assert_allclose(result.query_embeddings,
                               result.train_query_embeddings[neighbors].mean(axis=1))


def test_both_cold_starts_are_measured_and_the_chosen_one_is_the_result():
    for method in ("fold-in", "average"):
        result = mf_run(cold_start=method)
        assert set(result.cold_start_metrics) == {"fold-in", "average"}
        assert result.final_metrics == result.cold_start_metrics[method]


def test_a_softmax_model_rescored_on_the_held_out_positives():
    data = dataset()
    result = train(data, TrainConfig(epochs=2))
    scored = cold_start_split(data).scored
    again = rescored(result, scored, data.item_groups)
    assert again.final_metrics == all_metrics(result.query_embeddings, result.item_embeddings,
                                              scored, data.item_groups, result.config.k)
    assert len(again.metrics) == len(result.metrics)
    for before, after in zip(result.metrics, again.metrics, strict=True):  # no positive involved
        assert before["spurious_at_k"] == after["spurious_at_k"]
    np.testing.assert_array_equal(again.tower["W1"], result.tower["W1"])


# ---------------------------------------------------------------- the result

def test_result_has_a_frame_per_sweep_and_the_softmax_results_interface():
    data, result = dataset(), mf_run()
    frames = SWEEPS + 1
    assert result.config.strategy == "wals"
    assert result.losses.shape == (SWEEPS,)
    assert len(result.metrics) == frames and all(tuple(m) == METRICS for m in result.metrics)
    assert result.query_snapshots.shape == (frames, len(data.test), result.config.mf_dim)
    assert result.item_snapshots.shape == (frames, data.n_items, result.config.mf_dim)
    assert result.train_query_embeddings.shape == (len(data.train), result.config.mf_dim)
    assert set(result.summary()) == set(train(data, TrainConfig(epochs=1)).summary())
    assert result.summary()["strategy"] == "wals"
    assert np.isfinite(result.query_snapshots).all() and np.isfinite(result.losses).all()


def test_same_seed_same_result_other_seed_other_start():
    data = dataset()
    first, second = train_mf(data, MFConfig()), train_mf(data, MFConfig())
    np.testing.assert_array_equal(first.item_snapshots, second.item_snapshots)
    other = train_mf(data, MFConfig(seed=1))
    assert not np.array_equal(first.item_snapshots[0], other.item_snapshots[0])


def test_bad_mf_parameter_raises_naming_it():
    with pytest.raises(ValueError, match="unobserved_weight"):
        MFConfig(unobserved_weight=-0.1)
    with pytest.raises(ValueError, match="cold_start"):
        MFConfig(cold_start="guess")


def test_on_sweep_is_called_once_per_sweep():
    calls = []
    train_mf(dataset(), on_sweep=lambda sweep, sweeps: calls.append((sweep, sweeps)))
    assert calls == [(sweep, SWEEPS) for sweep in range(1, SWEEPS + 1)]


@pytest.mark.parametrize("make", [
    lambda data, result: figures.embedding_figure(data, result, 3, inspected_query=2),
    lambda data, result: figures.training_curves_figure(result),
    lambda data, result: figures.small_multiples_figure(
        data, {"wals": result, "uniform": train(data, TrainConfig(epochs=2))}),
])
def test_the_softmax_figures_draw_an_mf_result(make):
    data, result = dataset(), mf_run()
    validated = go.Figure(make(data, result).to_dict())  # raises on any invalid property
    assert validated.data


def test_the_exports_write_an_mf_result():
    result, data = mf_run(), dataset()
    link = "http://localhost/mf"
    assert history_csv(result, data.config, link).count("\n") == SWEEPS + 2  # header, sweeps
    assert '"unobserved_weight": 0.05' in history_json(result, data.config, link)


@pytest.mark.parametrize("w0", [0.0, 0.05])
def test_an_item_no_training_query_chose_gets_the_zero_row(w0):
    data = dataset(popularity_skew=2.0, queries_per_group=10)
    new_items = items_without_interactions(data)
    assert len(new_items) > 0
    V = train_mf(data, MFConfig(unobserved_weight=w0)).item_embeddings
    assert not V[new_items].any()
    others = np.setdiff1d(np.arange(data.n_items), new_items)
    assert np.abs(V[others]).sum(axis=1).min() > 0


def test_a_softmax_item_no_query_chose_moves_only_as_a_sampled_negative():
    """What the README says the softmax model does with a new item."""
    data = dataset(popularity_skew=2.0, queries_per_group=10)
    new_items = items_without_interactions(data)
    never_sampled = train(data, TrainConfig(strategy="positives-only", l2=0.0, epochs=3))
    np.testing.assert_array_equal(never_sampled.item_snapshots[-1][new_items],
                                  never_sampled.item_snapshots[0][new_items])
    sampled = train(data, TrainConfig(strategy="uniform", l2=0.0, epochs=3))
    assert (sampled.item_snapshots[-1][new_items] != sampled.item_snapshots[0][new_items]).any()


# ---------------------------------------------------------------- two stages

def test_the_two_stage_top_k_is_the_scorers_best_among_the_retrieved():
    data = dataset()
    scorer = train(data, TrainConfig(strategy="in-group", epochs=3))
    result = two_stage(data, mf_run(), scorer, candidates=12)
    k = mf_run().config.k
    assert result.retrieved.shape == (len(data.test), 12)
    assert result.recommended.shape == (len(data.test), k)
    scores = scorer.query_embeddings @ scorer.item_embeddings.T
    for retrieved, recommended, row in zip(result.retrieved, result.recommended, scores,
                                           strict=True):
        assert set(recommended) <= set(retrieved)
        assert list(recommended) == sorted(retrieved, key=lambda j: -row[j])[:k]


def test_two_stage_refuses_fewer_candidates_than_k():
    scorer = train(dataset(), TrainConfig(epochs=1))
    with pytest.raises(ValueError, match="candidates must be"):
        two_stage(dataset(), mf_run(), scorer, candidates=3)


@cache
def softmax_models(groups, seed):
    """uniform and in-group with the default settings, scored on the positives
    MF's fold-in does not see."""
    data = make_dataset(DataConfig(groups=groups, seed=seed))
    scored = cold_start_split(data).scored
    return tuple(rescored(train(data, TrainConfig(strategy=name, seed=seed)), scored,
                          data.item_groups) for name in ("uniform", "in-group"))


def two_stage_case(groups, mf_dim, seed):
    """Final metrics of uniform, of in-group alone, and of MF + in-group."""
    data = make_dataset(DataConfig(groups=groups, seed=seed))
    uniform, in_group = softmax_models(groups, seed)
    retriever = train_mf(data, MFConfig(mf_dim=mf_dim, seed=seed))
    return (uniform.final_metrics, in_group.final_metrics,
            two_stage(data, retriever, in_group).metrics)


# (groups, MF dimension) where the README says two stages match uniform; at 2 groups, and
# at 8 groups with 4 dimensions, too many of MF's candidates come from other groups.
TWO_STAGE_CASES = [(4, 4), (6, 4), (6, 8), (8, 8)]


@pytest.mark.parametrize("groups, mf_dim", TWO_STAGE_CASES)
def test_a_folded_scorer_after_mf_retrieval_is_as_good_as_the_separated_model(groups, mf_dim):
    """On average over three seeds, within 0.03 of uniform on spurious@k and
    within-group recall, while the same scorer alone mostly recommends other groups."""
    cases = [two_stage_case(groups, mf_dim, seed) for seed in (0, 1, 2)]
    uniform, in_group, pipeline = ({name: np.mean([case[which][name] for case in cases])
                                    for name in ("spurious_at_k", "within_group_recall_at_k")}
                                   for which in range(3))
    assert min(case[1]["spurious_at_k"] for case in cases) >= 0.5
    assert pipeline["spurious_at_k"] <= uniform["spurious_at_k"] + 0.03
    assert pipeline["within_group_recall_at_k"] >= uniform["within_group_recall_at_k"] - 0.03


# ---------------------------------------------------------------- serving

def test_every_way_of_serving_answers_the_top_k_of_the_embeddings():
    data, mf = dataset(), mf_run()
    softmax = train(data, TrainConfig(epochs=2))
    k = 5
    answer = answerers(data, mf, softmax, k)
    known = top_k(mf.train_query_embeddings @ mf.item_embeddings.T, k)
    new = top_k(mf.query_embeddings @ mf.item_embeddings.T, k)  # folded in
    by_softmax = top_k(softmax.query_embeddings @ softmax.item_embeddings.T, k)
    for i in range(len(data.test)):
        np.testing.assert_array_equal(answer["mf_precomputed"](i), known[i])
        np.testing.assert_array_equal(answer["mf_lookup"](i), known[i])
        np.testing.assert_array_equal(answer["mf_fold_in"](i), new[i])
        np.testing.assert_array_equal(answer["softmax"](i), by_softmax[i])


@pytest.mark.parametrize("data, k", [
    (SMALL, 5),
    # more test queries than training queries, and k above the number of items
    (DataConfig(groups=2, items_per_group=10, queries_per_group=10, test_queries_per_group=50),
     50),
])
def test_serving_seconds_are_measured_for_each_way(data, k):
    data = make_dataset(data)
    mf = train_mf(data, MFConfig(k=k))
    seconds = serving_seconds(data, mf, train(data, TrainConfig(epochs=1)), k, repeats=1)
    assert set(seconds) == {"mf_precomputed", "mf_lookup", "mf_fold_in", "softmax"}
    assert all(0 < s < 1 for s in seconds.values())


# ---------------------------------------------------------------- the source's table

def test_the_comparison_table_has_the_sources_rows_with_these_runs_numbers():
    from recdemo.mf_comparison import measure

    data = dataset()
    mf, observed_only = mf_run(), mf_run(w0=0.0)
    uniform, positives_only, in_group = (train(data, TrainConfig(strategy=s, epochs=3))
                                         for s in ("uniform", "positives-only", "in-group"))
    measured = measure(data, mf=mf, observed_only=observed_only, positives_only=positives_only,
                       uniform=uniform, in_group=in_group)
    rows, two_stages = measured.table, measured.two_stages
    assert [row.topic for row in rows] == [
        "query features", "cold start: new queries", "cold start: new items", "folding",
        "training", "serving, per query"]
    folding = rows[3].mf
    assert f"{observed_only.final_metrics['spurious_at_k']:.2f} with observed pairs only" in folding
    assert f"{mf.final_metrics['spurious_at_k']:.2f} with w0 = 0.05" in folding
    fold_in = mf.cold_start_metrics["fold-in"]["spurious_at_k"]
    assert f"spurious@10 {fold_in:.2f}" in rows[1].mf
    assert len(two_stages) == 3 and "candidates from other groups" in two_stages[1].mf
    assert rows[5].mf.startswith("a stored top-10 list ") and "every item" not in rows[5].mf


def test_the_folding_and_serving_cells_at_w0_0_and_at_k_past_the_items():
    """Reviews' links: /mf?unobserved_weight=0 (the folding cell gave the same
    run twice, "0.37 with observed pairs only (w0 = 0), 0.37 with w0 = 0") and
    /mf?groups=2&items_per_group=10&k=50 ("a stored top-50 list" of 20 items)."""
    from recdemo.mf_comparison import comparison_rows

    data = dataset()  # 30 items
    mf = train_mf(data, MFConfig(unobserved_weight=0.0, k=50))
    uniform, positives_only = (train(data, TrainConfig(strategy=s, epochs=1, k=50))
                               for s in ("uniform", "positives-only"))
    serving = dict.fromkeys(("mf_precomputed", "mf_lookup", "mf_fold_in", "softmax"), 1e-6)
    rows = comparison_rows(data, mf=mf, observed_only=mf, positives_only=positives_only,
                           uniform=uniform, seconds={"mf": 0.0123, "uniform": 0.0042},
                           serving=serving)
    # A review's link (/mf?gravity=10&epochs=1&dim=2): uniform trained in "0.00 s".
    assert rows[4].mf.startswith("0.0123 s here;") and rows[4].softmax.startswith("0.00420 s here")
    spurious = f"{mf.final_metrics['spurious_at_k']:.2f}"
    assert rows[3].mf == f"spurious@50 {spurious} with observed pairs only (w0 = 0)"
    assert rows[5].mf.startswith("a stored top-30 list (every item: k = 50 is more than the 30 "
                                 "items) 1.0 µs; "), rows[5].mf
