"""Runs shared by the slow tests of the lesson (test_phenomenon.py, test_claims.py):
every strategy on one dataset per case, trained in worker processes, each case
once per test session. A worker returns what the pages would say (the claims
of recdemo/claims.py, computed there from the full results) with the raw
numbers the tests recompute them from: full results are too large to send back.
"""

from __future__ import annotations

import multiprocessing
import sys
import types
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from functools import cache

from recdemo import claims, claims_lesson, claims_practice
from recdemo.data import DataConfig, make_dataset
from recdemo.metrics import (
    cross_group_overlap,
    length_score_correlation,
    mean_cosine,
    within_group_recall_per_query,
)
from recdemo.params import STRATEGIES, run_settings
from recdemo.references import positive_probability, references
from recdemo.sampled_metrics import protocol_metrics
from recdemo.train import TrainConfig, TrainingDiverged, one_blas_thread, train

GRAVITIES = (1.0, 10.0)  # positives-only with gravity, where a case asks for extras
SKEW = 2.0  # the popularity skew of the logQ lesson


def run_case(case) -> dict:
    """Every strategy on the data of ``case`` = (settings, groups, seed, extras):
    settings is a tuple of (name, value) changes to the defaults; with
    ``extras``, also the lessons' other runs: positives-only with gravity,
    positives-only switched to uniform at half the epochs, and in-batch with
    and without logQ at popularity skew 2."""
    settings, groups, seed, with_gravity = case
    changes = {"groups": groups, "seed": seed, **dict(settings)}
    data_config = DataConfig(**{n: v for n, v in changes.items()
                                if n in DataConfig.__dataclass_fields__})
    train_changes = {n: v for n, v in changes.items() if n in TrainConfig.__dataclass_fields__}
    data = make_dataset(data_config)
    k = train_changes.get("k", TrainConfig.k)
    refs = references(data, k)
    configs = {strategy: TrainConfig(**{**train_changes, "strategy": strategy})
               for strategy in STRATEGIES}
    if with_gravity:
        configs |= {f"positives-only, gravity {g:g}": TrainConfig(
            **{**train_changes, "strategy": "positives-only", "gravity": g}) for g in GRAVITIES}
    results = {}
    for label, config in configs.items():
        try:
            results[label] = train(data, config)
        except TrainingDiverged:
            pass
    oracle_recall = within_group_recall_per_query(positive_probability(data, data.test),
                                                  data.test.groups, data.item_groups,
                                                  data.test.positives, k)
    out = {"refs": refs, "items_per_group": data_config.items_per_group, "k": k,
           "recall_minus_oracle": {label: within_group_recall_per_query(
               r.query_embeddings @ r.item_embeddings.T, data.test.groups, data.item_groups,
               data.test.positives, k) - oracle_recall for label, r in results.items()},
           "metrics": {label: r.final_metrics for label, r in results.items()},
           "configs": {label: r.config for label, r in results.items()},
           "verdict_claims": {label: claims.verdict_claim(
               label, r, refs, run_settings(data_config, r.config))
               for label, r in results.items()},
           "beyond_claims": {label: claims.beyond_claim(label, r.final_metrics, refs)
                             for label, r in results.items()}}
    if {"positives-only", "uniform", "in-group"} <= results.keys():
        folded, separated = results["positives-only"], results["uniform"]
        out["geometry"] = {name: (mean_cosine(r.item_embeddings),
                                  length_score_correlation(r.query_embeddings, r.item_embeddings),
                                  cross_group_overlap(r.top_k_snapshots[-1], data.test.groups))
                           for name, r in (("positives-only", folded), ("uniform", separated))}
        out["geometry_claims"] = claims_lesson.folded_geometry(folded=folded, separated=separated,
                                                        test_groups=data.test.groups)
        lesson = {name: results[name] for name in ("positives-only", "in-group", "uniform")}
        out["lowest_recall"] = claims_lesson.lowest_recall("positives-only", lesson, refs)
        out["good_inside"] = claims_lesson.good_inside("in-group", results["in-group"], "uniform",
                                                results["uniform"], refs)
        out["auc_below_half"] = claims_lesson.auc_below_half("in-group", results["in-group"])
    out["protocols"] = {label: protocol_metrics(r.query_embeddings, r.item_embeddings, data.test,
                                                data.item_groups, k)
                        for label, r in results.items() if label in STRATEGIES}
    if with_gravity and "positives-only" in results:
        out["gravity_claims"] = {label: claims_lesson.gravity_claim(plain=results["positives-only"],
                                                             with_gravity=results[label],
                                                             refs=refs)
                                 for label in results if "gravity" in label}
    if with_gravity:
        half = configs["positives-only"].epochs // 2
        switched = replace(configs["positives-only"], switch_at=half, switch_to="uniform")
        switched_run = train(data, switched)
        out["switched"] = switched_run.final_metrics
        out["switch_claim"] = claims_practice.switch_claim(  # against positives-only's own run
            "positives-only", switched_run, refs, results.get("positives-only"))
        skewed = make_dataset(replace(data_config, popularity_skew=SKEW))
        for logq in (True, False):
            config = replace(configs["in-batch"], logq_correction=logq)
            out[f"in-batch skewed, logq {logq}"] = train(skewed, config).final_metrics
    return out


@cache
def _runs(cases: tuple) -> dict:
    # A new process first runs the parent's __main__ module, which after an
    # AppTest is the script it ran (a page, or a temporary file another test
    # wrote): a stand-in keeps the workers to the library, as backend/pool.py does.
    context = multiprocessing.get_context("forkserver")
    main, sys.modules["__main__"] = sys.modules["__main__"], types.ModuleType("__main__")
    try:
        with ProcessPoolExecutor(max_workers=2, mp_context=context,
                                 initializer=one_blas_thread) as pool:
            return dict(zip(cases, pool.map(run_case, cases), strict=True))
    finally:
        sys.modules["__main__"] = main


_ALL: list = []  # every case any test module asked for, trained in one pool


def register(cases) -> None:
    """Declare cases (at import time), so that every module's cases train together."""
    _ALL.extend(case for case in cases if case not in _ALL)


def outputs(cases) -> dict:
    """The outputs of ``cases`` (each registered before)."""
    everything = _runs(tuple(_ALL))
    return {case: everything[case] for case in cases}
