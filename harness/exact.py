"""What a student sees of a set of fixed runs, to check that a change made to
save CPU time changed none of it: recorded by scripts/golden_runs.py into
tests/golden_runs.json, compared with the code checked out by the script and
by tests/test_exact.py.

For every strategy (and matrix factorization) on a few fixed datasets: each
frame's metrics (exact floats), the run's verdict against its references,
and a SHA-256 of each array a page draws from (the snapshots, the top-k of
every frame, the negatives seen); and a SHA-256 of the JSON of the Train
page's figures (the picture in 2D and 3D, the negatives seen, the training
curves) as plotly writes it for the chart.

Floating-point results depend on the BLAS and the CPU that computed them, so
a recording is only comparable on the machine (and numpy) that made it:
``machine_now()`` names them.
"""

from __future__ import annotations

import hashlib

import numpy as np
import plotly.io as pio

from harness.report import machine
from recdemo import figures, verdicts
from recdemo.data import DataConfig, make_dataset
from recdemo.mf import MFConfig, train_mf
from recdemo.params import STRATEGIES
from recdemo.references import references
from recdemo.train import TrainConfig, train

# The default data on two seeds, and a small one where k is a whole group
# (ties in the rankings: the metrics' tie rules are exercised).
DATA = {"default seed 0": DataConfig(seed=0), "default seed 1": DataConfig(seed=1),
        "4 groups of 10 items": DataConfig(groups=4, items_per_group=10, seed=2)}
FIGURE_RUNS = (("default seed 0", "uniform"), ("default seed 0", "popularity"),
               ("default seed 1", "full"))


def digest(array) -> str:
    array = np.ascontiguousarray(array)
    return hashlib.sha256(str(array.dtype).encode() + str(array.shape).encode()
                          + array.tobytes()).hexdigest()


def run_record(result, refs) -> dict:
    arrays = {name: getattr(result, name) for name in (
        "losses", "query_snapshots", "item_snapshots", "top_k_snapshots", "negatives_seen",
        "pushed_down") if getattr(result, name) is not None}
    return {"metrics": [{name: repr(value) for name, value in frame.items()}
                        for frame in result.metrics],
            "verdict": verdicts.verdict(result.final_metrics, refs),
            "arrays": {name: digest(array) for name, array in arrays.items()}}


def figure_record(dataset, result) -> dict:
    made = {f"embedding {components}D": figures.embedding_figure(dataset, result, components, 0)
            for components in (2, 3)}
    made["negatives"] = figures.negatives_figure(dataset, result)
    made["curves"] = figures.training_curves_figure(result)
    return {name: hashlib.sha256(pio.to_json(fig, validate=False).encode()).hexdigest()
            for name, fig in made.items()}


def record() -> dict:
    pio.templates.default = "plotly_white"  # as ui/plot.py sets it for every chart
    runs, shown = {}, {}
    for data_name, data_config in DATA.items():
        dataset = make_dataset(data_config)
        refs = references(dataset, TrainConfig().k)
        for strategy in STRATEGIES:
            result = train(dataset, TrainConfig(strategy=strategy))
            runs[f"{data_name}, {strategy}"] = run_record(result, refs)
            if (data_name, strategy) in FIGURE_RUNS:
                shown[f"{data_name}, {strategy}"] = figure_record(dataset, result)
        runs[f"{data_name}, wals"] = run_record(train_mf(dataset, MFConfig()), refs)
    return {"machine": machine_now(), "runs": runs, "figures": shown}


def machine_now() -> dict:
    """What the recorded numbers depend on: the CPU, numpy and its BLAS."""
    m, blas = machine(), np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    return {"cpu": m["cpu"], "numpy": m["numpy"], "blas": blas.get("version"),
            "blas configuration": blas.get("openblas configuration")}


def differences(recorded: dict, now: dict, path: str = "") -> list[str]:
    if isinstance(recorded, dict) and isinstance(now, dict):
        return [line for key in sorted(set(recorded) | set(now))
                for line in differences(recorded.get(key), now.get(key), f"{path}/{key}")]
    if isinstance(recorded, list) and isinstance(now, list) and len(recorded) == len(now):
        return [line for index, (a, b) in enumerate(zip(recorded, now, strict=True))
                for line in differences(a, b, f"{path}[{index}]")]
    return [] if recorded == now else [f"{path}: recorded {recorded!r}, now {now!r}"]
