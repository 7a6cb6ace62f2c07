"""Exports: metrics per epoch as CSV and JSON, charts as standalone HTML."""

import csv
import io
import json
import re

import pytest

from recdemo.data import DataConfig, make_dataset
from recdemo.export import (
    figure_html,
    file_name,
    history_csv,
    history_json,
    history_rows,
)
from recdemo.figures import embedding_figure
from recdemo.metrics import METRICS
from recdemo.params import run_settings
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


LINK = "http://class.example:8501/train?strategy=hard&groups=3"


def test_csv_and_json_carry_the_same_rows_every_setting_and_the_link(run):
    data, result = run
    from_csv = list(csv.DictReader(io.StringIO(history_csv(result, data.config, LINK))))
    from_json = json.loads(history_json(result, data.config, LINK))
    assert len(from_csv) == len(from_json["epochs"]) == result.config.epochs + 1
    assert float(from_csv[-1]["spurious_at_k"]) == pytest.approx(
        from_json["epochs"][-1]["spurious_at_k"])
    assert from_json["link"] == LINK and {row["link"] for row in from_csv} == {LINK}
    settings = from_json["settings"]
    assert settings["strategy"] == "hard" and settings["epochs"] == 4
    # enough to rebuild the run: the data's settings and the training's
    assert DataConfig(**{n: settings[n] for n in DataConfig.__dataclass_fields__}) == data.config
    assert TrainConfig(**{n: settings[n] for n in TrainConfig.__dataclass_fields__}
                       ) == result.config
    assert {"groups", "leak", "items_per_group", "queries_per_group", "seed",
            "learning_rate"} <= set(from_csv[0])


def test_file_names_carry_the_strategy_and_the_seed(run):
    data, result = run
    name = file_name(data.config, result.config, "metrics")
    assert name == "recdemo-hard-seed0-metrics"
    other = file_name(DataConfig(seed=3), result.config, "metrics")
    assert other != name


def test_chart_html_is_standalone_titled_linked_and_does_not_autoplay(run):
    data, result = run
    settings = run_settings(data.config, result.config)
    page = figure_html(embedding_figure(data, result), "hard <run>", LINK, settings)
    assert page.lower().startswith("<!doctype html>") and "Plotly.newPlot" in page
    assert not re.search(r"<script[^>]*\bsrc=", page), "plotly.js is inside: works offline"
    assert "Plotly.animate(" not in page, "opens on the final epoch instead of replaying"
    assert "<title>hard &lt;run&gt;</title>" in page
    assert f'href="{LINK.replace("&", "&amp;")}"' in page
    assert "<th>learning_rate</th>" in page and '"automargin":true' in page
    # As in the app: no "Share chart..." (an upload to plotly's cloud), no zoom by the wheel.
    assert "showSendToCloud: false, scrollZoom: false" in page
