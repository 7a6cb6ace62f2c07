"""The source's table, "Matrix Factorization vs Softmax DNN", measured on one
dataset: one row per line of it, each cell a sentence with this data's numbers.

Every model is scored on the same test positives, the ones MF's fold-in does
not see (mf.cold_start_split), so the softmax runs passed in must be
``mf.rescored`` on them. The MF page and scripts/benchmark_mf.py both print
this table.
"""

from __future__ import annotations

from dataclasses import dataclass

from recdemo.claims import (
    VERDICT_WORDS,
    Claim,
    named,
    no_room,
    no_room_where,
    reads_as_it_is,
    recall_is_meaningful,
    shown_as,
)
from recdemo.data import DataConfig
from recdemo.figures.style import run_label
from recdemo.history import TrainHistory
from recdemo.metrics import top_length
from recdemo.mf import (
    AVERAGE_NEIGHBORS,
    MFResult,
    cold_start_split,
    items_without_interactions,
    rescored,
    train_mf,
)
from recdemo.references import References
from recdemo.serving import serving_seconds
from recdemo.train import train
from recdemo.two_stage import CANDIDATES_PER_K, TwoStageResult, two_stage
from recdemo.verdicts import SEPARATE_EXCESS, SEPARATES, excess_spurious, verdict
from recdemo.wording import fmt, percent, quantity, significant


@dataclass(frozen=True)
class Row:
    topic: str  # the source table's row
    mf: str  # matrix factorization, measured
    softmax: str  # the softmax model, measured


@dataclass(frozen=True)
class Comparison:
    """What measure() finds: the two tables, and the numbers the MF page's
    sentences are computed from."""

    table: list[Row]  # the source's table
    two_stages: list[Row]  # in-group alone, MF + in-group, uniform
    pipeline: TwoStageResult
    scored: dict[str, dict]  # uniform's and in-group's final metrics on the scored positives


def measure(dataset, *, mf: MFResult, observed_only: MFResult, positives_only: TrainHistory,
            uniform: TrainHistory, in_group: TrainHistory) -> Comparison:
    """Both tables, from trained runs on ``dataset`` (by name: the softmax
    runs are of one type, and so are the two MF runs): the softmax runs are
    scored again on the positives MF's fold-in does not see, MF and uniform are
    trained once more here to time them alike (a run's first time in a fresh
    process also pays for imports and warm-up), serving is timed (on this
    process, now), and MF retrieves for the in-group model."""
    seconds = {"mf": train_mf(dataset, mf.config).train_seconds,
               "uniform": train(dataset, uniform.config).train_seconds}
    scored = cold_start_split(dataset).scored
    uniform, positives_only, in_group = (rescored(run, scored, dataset.item_groups)
                                         for run in (uniform, positives_only, in_group))
    serving = serving_seconds(dataset, mf, uniform, mf.config.k)
    pipeline = two_stage(dataset, mf, in_group)
    return Comparison(
        comparison_rows(dataset, mf=mf, observed_only=observed_only,
                        positives_only=positives_only, uniform=uniform, seconds=seconds,
                        serving=serving),
        two_stage_rows(mf.config.k, uniform=uniform, in_group=in_group, pipeline=pipeline,
                       data=dataset.config),
        pipeline,
        {"uniform": uniform.final_metrics, "in-group": in_group.final_metrics})


def pair(metrics: dict, k: int, data: DataConfig) -> str:
    """spurious@k and within-group recall@k of a metrics dict, in words (the
    recall left out where it cannot tell rankings apart on ``data``: where k
    covers a group it is 1.00 for any model; claims.recall_is_meaningful)."""
    recall = (f", within-group recall@{k} {fmt(metrics['within_group_recall_at_k'])}"
              if recall_is_meaningful(k, data) else "")
    return f"spurious@{k} {fmt(metrics['spurious_at_k'])}{recall}"


def comparison_rows(dataset, *, mf: MFResult, observed_only: MFResult,
                    positives_only: TrainHistory, uniform: TrainHistory,
                    seconds: dict[str, float], serving: dict[str, float]) -> list[Row]:
    """The source's five rows (cold start split in two: new queries, new items);
    ``seconds``: the training time of "mf" and "uniform"."""
    k, w0 = mf.config.k, mf.config.unobserved_weight
    new_items = len(items_without_interactions(dataset))
    brought = cold_start_split(dataset).known.shape[1]
    fold_in = (f"fold-in (a row solved from the items it brings): "
               f"{pair(mf.cold_start_metrics['fold-in'], k, dataset.config)}" if brought else
               "fold-in: nothing to fold in (each test query's one positive is kept for scoring)")

    listed = top_length(k, dataset.n_items)
    every = f" (every item: k = {k} is more than the {listed} items)" if listed < k else ""

    def micro(name):
        return f"{1e6 * serving[name]:.1f} µs"

    return [
        Row("query features",
            "none: a row per training query, learned from its interactions alone",
            f"the query tower's input ({dataset.train.features.shape[1]} features)"),
        Row("cold start: new queries",
            f"{fold_in}; "
            f"average of the {AVERAGE_NEIGHBORS} training queries with the most similar "
            "features: "
            f"{pair(mf.cold_start_metrics['average'], k, dataset.config)}",
            "its features through the tower (uniform): "
            f"{pair(uniform.final_metrics, k, dataset.config)}"),
        Row("cold start: new items",
            f"an item no training query chose has the zero row: it scores 0 for every query "
            f"({quantity(new_items, 'such item')} in this data)",
            "an item no training query chose keeps its random start, moved only as a sampled "
            "negative and by weight decay"),
        Row("folding",
            f"spurious@{k} {fmt(observed_only.final_metrics['spurious_at_k'])} with observed "
            "pairs only (w0 = 0)"
            + (f", {fmt(mf.final_metrics['spurious_at_k'])} with w0 = {w0:g}" if w0 else ""),
            f"{named(run_label(positives_only.config))}: spurious@{k} "
            f"{fmt(positives_only.final_metrics['spurious_at_k'])}; "
            f"uniform negatives: {fmt(uniform.final_metrics['spurious_at_k'])}"),
        Row("training",
            f"{significant(seconds['mf'])} s here; each sweep is one d x d solve per row, and "
            "the unobserved pairs cost one d x d Gramian: it scales with the interactions",
            f"{significant(seconds['uniform'])} s here (uniform); the full softmax costs a pass "
            "over every item per step (the Why sample? page)"),
        Row("serving, per query",
            f"a stored top-{listed} list{every} {micro('mf_precomputed')}; a stored row, scored "
            f"{micro('mf_lookup')}"
            + (f"; a new query folded in, scored {micro('mf_fold_in')}" if brought else ""),
            f"the tower's forward pass, scored {micro('softmax')}"),
    ]


def two_stage_rows(k: int, *, uniform: TrainHistory, in_group: TrainHistory,
                   pipeline: TwoStageResult, data: DataConfig) -> list[Row]:
    """The source's conclusion, "it is usually acceptable for DNN models to
    fold, since you mostly care about ranking a pre-filtered set": the in-group
    model alone, and after MF's retrieval, against uniform (what each did, the
    page's sentence says: two_stage_claim). Where a group has fewer
    items than MF retrieves, the share of other groups' it must retrieve too."""
    candidates = pipeline.retrieved.shape[1]
    return [
        Row("in-group softmax alone", "", pair(in_group.final_metrics, k, data)),
        Row(f"MF retrieves {candidates}, in-group ranks them",
            f"{percent(pipeline.retrieved_spurious)} of the candidates from other groups"
            + candidates_floor(candidates, data.items_per_group),
            pair(pipeline.metrics, k, data)),
        Row("uniform softmax", "", pair(uniform.final_metrics, k, data)),
    ]


def picture_caption(test_queries: int, cold_start: str, softmax: str) -> str:
    """What the MF page's two panels show, each named by its title's strategy:
    the same held-out test queries, embedded by ``cold_start`` in the wals
    panel (as the table says it) and by the query tower in the ``softmax`` one."""
    how = ("fold-in (a row solved from the items it brings)" if cold_start == "fold-in" else
           f"the average of the {AVERAGE_NEIGHBORS} training queries with the most similar "
           "features")
    return (f"Both panels show the same {test_queries:,} held-out test queries. In the wals "
            f"panel they are new to matrix factorization, embedded by {how}; in the {softmax} "
            "panel the softmax model puts their features through its query tower.")


def scored_caption(brought: int, positives: int, cold_start: str) -> str:
    """What the MF page's models are scored on: each test query's positives
    split into the ones it brings (cold_start_split) and the ones scored."""
    if not brought:
        return ("Every model is scored on the same held-out positive: each test query's only "
                "one (it brings none to MF's fold-in).")
    averaged = cold_start == "average"
    rest = positives - brought
    return (f"Every model is scored on the same held-out positives: {brought} of each test "
            f"query's {quantity(positives, 'positive')} {'is' if brought == 1 else 'are'} "
            f"what it {'would bring' if averaged else 'brings'} to MF's fold-in"
            + (" (here MF embeds it by the average instead)" if averaged else "")
            + f", the {'other one is' if rest == 1 else f'other {rest} are'} scored.")


# The two stages in words (the MF page's sentence, beside two_stage_rows) ---------

def candidates_floor(candidates: int, items_per_group: int) -> str:
    """Where MF retrieves more candidates than a group has items, the share of
    them that must come from other groups whatever MF does, in words, as
    counts (a share rounded, 66.7% as 67%, would overstate a floor): " (at
    least 20 of the 30 must: 10 items a group)"; else ""."""
    if candidates <= items_per_group:
        return ""
    return (f" (at least {candidates - items_per_group} of the {candidates} must: "
            f"{quantity(items_per_group, 'item')} a group)")


def two_stage_claim(pipeline, scored: dict, refs: References) -> Claim:
    """The source's "it is usually acceptable for DNN models to fold, since you
    mostly care about ranking a pre-filtered set of candidates", on these runs:
    do MF's candidates ranked by the in-group model separate the groups?
    ``scored``: uniform's and in-group's final metrics on the same positives;
    ``refs``: on those positives. Its top k (spurious@k) can be clean while
    its whole ranking is not: every item MF did not retrieve ties at the
    bottom, which the cross-group AUC counts, and the verdict with it."""
    metrics, k = pipeline.metrics, refs.k
    found, excess = verdict(metrics, refs), excess_spurious(metrics, refs)
    alone, room = verdict(scored["in-group"], refs), no_room(refs)
    # Three decimals, and the rule's references, where two would read as another verdict.
    show, exact = shown_as(metrics, refs), not reads_as_it_is(metrics, refs)
    spurious = (f"spurious@{k} {show(metrics['spurious_at_k'])} against uniform's "
                f"{show(scored['uniform']['spurious_at_k'])} and in-group alone's "
                f"{show(scored['in-group']['spurious_at_k'])}"
                # where no run can fold or separate, no verdict: the runs' own sentences say so
                + ("" if room else f", a run that {VERDICT_WORDS[alone]}")
                + (f", the data's own {show(refs.oracle['spurious_at_k'])} and a random "
                   f"ranking's {show(refs.random['spurious_at_k'])}" if exact else ""))
    auc = (f"cross-group AUC {show(metrics['cross_group_auc'])} against the data's own "
           f"{show(refs.oracle['cross_group_auc'])}")
    retrieved = pipeline.retrieved.shape[1]
    floor = candidates_floor(retrieved, refs.items_per_group)
    none = pipeline.retrieved_spurious == 0
    share = ("none of MF's candidates come from other groups" if none
             else f"{percent(pipeline.retrieved_spurious)} of MF's candidates come from other "
                  f"groups{floor}")
    few = share if none or floor else f"only {share}"  # "only" but where it must be so many
    if room:  # the question has no answer on this data, or at this k
        return Claim(False, f"{no_room_where(refs).capitalize()} the question has no answer: "
                            f"{spurious}; {auc}. {room}")
    if retrieved >= refs.items_per_group * refs.groups:  # MF filters nothing
        return Claim(False, f"On this data MF retrieves all {retrieved} items ({CANDIDATES_PER_K} "
                            f"x k, at most the corpus): nothing is pre-filtered, and the pipeline "
                            f"ranks as in-group alone does, which {VERDICT_WORDS[alone]} "
                            f"(spurious@{k} {show(metrics['spurious_at_k'])}; {auc}).")
    if found == SEPARATES:
        return Claim(True, f"On this data, yes: the two-stage pipeline separates the groups "
                           f"({spurious}; {auc}). {few[0].upper() + few[1:]}, and the in-group "
                           "scorer only ranks the candidates.")
    if excess is not None and excess <= SEPARATE_EXCESS:
        return Claim(False, f"On this data, its top {k} says yes and its whole ranking no: "
                            f"{spurious}, as few as a run that separates; but every item beyond "
                            f"the {retrieved} MF retrieves ties at the bottom "
                            f"of its ranking, and the cross-group AUC counts those ties "
                            f"({auc}): by the verdict rule the pipeline {VERDICT_WORDS[found]}.")
    return Claim(False, f"On this data, no: the two-stage pipeline {VERDICT_WORDS[found]} "
                        f"({spurious}; {auc}). {share[0].upper() + share[1:]}, and the in-group "
                        "scorer, trained only inside each group, ranks them among the query's "
                        "own.")
