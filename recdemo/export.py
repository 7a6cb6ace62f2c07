"""Files a teacher can take away: the chart as a standalone page, the metrics
per epoch. Every file carries every setting of its run, data and training, and
the link that opens the same view again, so a run can be reproduced from it."""

from __future__ import annotations

import csv
import html
import io
import json

import plotly.io as pio

from recdemo.figures.embedding import plotly_controls
from recdemo.figures.style import NAMES_JS
from recdemo.metrics import METRICS
from recdemo.params import run_settings


def file_name(data_config, config, what: str) -> str:
    """recdemo-<strategy>-seed<seed>-<what>: two runs never share a name by accident."""
    return f"recdemo-{config.strategy}-seed{data_config.seed}-{what}"


def history_rows(result) -> list[dict]:
    """One row per epoch (0 = before training): its training loss and test metrics."""
    losses = [None, *(round(float(x), 6) for x in result.losses)]
    return [
        {"epoch": epoch, "strategy": result.config.strategy, "loss": loss,
         **{name: round(metrics[name], 6) for name in METRICS}, "k": result.config.k}
        for epoch, (loss, metrics) in enumerate(zip(losses, result.metrics, strict=True))
    ]


def history_csv(result, data_config, link: str) -> str:
    """The rows of history_rows, each followed by every setting of the run and the link."""
    settings = {name: value for name, value in run_settings(data_config, result.config).items()
                if name not in ("strategy", "k")}  # already columns of every row
    rows = [row | settings | {"link": link} for row in history_rows(result)]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def history_json(result, data_config, link: str) -> str:
    return json.dumps({"link": link, "settings": run_settings(data_config, result.config),
                       "epochs": history_rows(result)}, indent=2)


def figure_html(fig, title: str, link: str, settings: dict) -> str:
    """A standalone page with plotly.js inside, so it opens without a network:
    a title, the chart (its axis labels given room: the app's tight margins
    would clip them on a page of its own), the link that opens the same view,
    and every setting of the run."""
    playback = getattr(fig, "playback", None)
    fig = fig.to_dict() if hasattr(fig, "to_dict") else fig
    # A page of its own has no app to draw Play and the epoch: plotly's own then.
    margin = fig["layout"].get("margin", {}) | {"l": 70, "r": 30}
    # Under everything the figure has below its plot area.
    controls = plotly_controls(playback, margin.get("b", 0)) if playback else {}
    if controls:
        margin["b"] = margin.get("b", 0) + 90
        fig = fig | {"layout": fig["layout"] | {"height": fig["layout"].get("height", 450) + 90}}
    layout = fig["layout"] | controls | {"margin": margin}
    for name in layout:
        if name.startswith(("xaxis", "yaxis")):
            layout[name] = layout[name] | {"automargin": True}
    # The group names stacked where groups fold, as the app does (names.js).
    names = (NAMES_JS.read_text() + "\nconst chart = document.getElementById('{plot_id}');"
             "\nwatchNames(chart);\nstackNames(chart);")
    chart = pio.to_html({**fig, "layout": layout}, include_plotlyjs=True, full_html=False,
                        auto_play=False, post_script=names)
    rows = "".join(f"<tr><th>{html.escape(str(name))}</th><td>{html.escape(str(value))}</td></tr>"
                   for name, value in settings.items())
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title>"
            "<style>body{font-family:sans-serif;margin:1.5rem}th{text-align:left;"
            "padding-right:1rem;font-weight:normal;color:#555}</style></head><body>"
            f"<h1>{html.escape(title)}</h1>{chart}"
            f"<p>Open this view in recdemo: <a href=\"{html.escape(link, quote=True)}\">"
            f"{html.escape(link)}</a></p><table>{rows}</table></body></html>\n")
