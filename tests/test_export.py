"""Exports: metrics per epoch as CSV and JSON, charts as standalone HTML."""

import csv
import io
import json
import re

import pytest

from recdemo.data import DataConfig, make_dataset
from recdemo.export import figure_html, history_csv, history_json, history_rows
from recdemo.figures import embedding_figure
from recdemo.metrics import METRICS
from recdemo.train import TrainConfig, train


@pytest.fixture(scope="module")
def run():
    data = make_dataset(DataConfig(groups=3, items_per_group=10, queries_per_group=20))
    return data, train(data, TrainConfig(strategy="hard", epochs=4))


def test_history_has_one_row_per_epoch_with_the_run_figures(run):
    _, result = run
    rows = history_rows(result)
    assert [r["epoch"] for r in rows] == [0, 1, 2, 3, 4]
    assert rows[0]["loss"] is None, "no training loss before the first epoch"
    assert [r["loss"] for r in rows[1:]] == pytest.approx(list(result.losses), rel=1e-5)
    for row, metrics in zip(rows, result.metrics, strict=True):
        assert [row[m] for m in METRICS] == pytest.approx([metrics[m] for m in METRICS], abs=1e-6)


def test_csv_and_json_carry_the_same_rows(run):
    _, result = run
    from_csv = list(csv.DictReader(io.StringIO(history_csv(result))))
    from_json = json.loads(history_json(result))
    assert len(from_csv) == len(from_json["epochs"]) == result.config.epochs + 1
    assert from_json["config"]["strategy"] == "hard"
    assert float(from_csv[-1]["spurious_at_k"]) == pytest.approx(
        from_json["epochs"][-1]["spurious_at_k"])


def test_chart_html_is_standalone_and_does_not_autoplay(run):
    data, result = run
    page = figure_html(embedding_figure(data, result))
    assert page.lower().startswith("<!doctype html>") and "Plotly.newPlot" in page
    assert not re.search(r"<script[^>]*\bsrc=", page), "plotly.js is inside: works offline"
    assert "Plotly.animate(" not in page, "opens on the final epoch instead of replaying"
