"""Files a teacher can take away: the chart as a standalone page, the metrics
per epoch. Every file carries every setting of its run, data and training, and
the link that opens the same view again, so a run can be reproduced from it."""

from __future__ import annotations

import csv
import html
import io
import json

import plotly.io as pio
from plotly.offline import get_plotlyjs

from recdemo.figures.embedding import plotly_controls
from recdemo.figures.fit import variants_of
from recdemo.figures.style import FIT_JS, NAMES_JS
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


# The exported chart's own script: drawn in the layout that fits the page's
# width (fit.js), and again when another fits (a phone turned); on a phone
# without plotly's toolbar, as in the app, and as there without "Share chart..."
# (an upload to plotly's cloud) and no zoom by the wheel, which scrolls the page;
# the group names stacked (names.js).
DRAW_JS = """
const chart = document.getElementById("chart");
let shown = null;
function draw() {
  // Compared with the width plotly drew: one asked meanwhile may land first.
  const width = chart.getBoundingClientRect().width;
  if (!width || Math.abs(width - (chart._fullLayout?.width ?? 0)) < 1) return;
  const { fitted, choice } = fit(figure, width);
  if (choice === shown) {  // only wider or narrower: its frame stays
    Plotly.relayout(chart, { width }).then(() => { stackNames(chart); draw(); }, () => {});
    return;
  }
  const config = { displaylogo: false, showSendToCloud: false, scrollZoom: false,
                   displayModeBar: width < NO_TOOLBAR_BELOW ? false : "hover" };
  const first = shown === null;
  shown = choice;
  // At a fixed width and the layout's own height, as in the app (ui/plot.js).
  (first ? Plotly.newPlot : Plotly.react)(
    chart, { ...fitted, layout: { ...fitted.layout, width, autosize: false }, config })
    .then(() => { stackNames(chart); draw(); }, () => {});
}
draw();
watchNames(chart);
new ResizeObserver(draw).observe(chart);
"""


def figure_html(fig, title: str, link: str, settings: dict) -> str:
    """A standalone page with plotly.js inside, so it opens without a network:
    a title, the chart (its axis labels given room: the app's tight margins
    would clip them on a page of its own; in the layout that fits the page's
    width, as in the app), the link that opens the same view, and every
    setting of the run."""
    playback = getattr(fig, "playback", None)
    fig = fig.to_dict() if hasattr(fig, "to_dict") else fig
    layout = _on_a_page(fig["layout"], playback)
    if variants_of(layout):  # the narrower layouts the same, each over the figure's
        layout["meta"] = {"recdemo": layout["meta"]["recdemo"] | {"variants": [
            variant | {"layout": _on_a_page(variant["layout"], playback, over=fig["layout"])}
            for variant in variants_of(layout)]}}
    figure = pio.to_json({**fig, "layout": layout}, validate=False).replace("</", "<\\/")
    chart = (f'<div id="chart"></div><script>{get_plotlyjs()}</script>'
             f"<script>const figure = {figure};\n{FIT_JS.read_text()}\n{NAMES_JS.read_text()}"
             f"\n{DRAW_JS}</script>")
    rows = "".join(f"<tr><th>{html.escape(str(name))}</th><td>{html.escape(str(value))}</td></tr>"
                   for name, value in settings.items())
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title>"
            "<style>body{font-family:sans-serif;margin:1.5rem}th{text-align:left;"
            "padding-right:1rem;font-weight:normal;color:#555}</style></head><body>"
            f"<h1>{html.escape(title)}</h1>{chart}"
            f"<p>Open this view in recdemo: <a href=\"{html.escape(link, quote=True)}\">"
            f"{html.escape(link)}</a></p><table>{rows}</table></body></html>\n")


def _on_a_page(layout: dict, playback, over: dict | None = None) -> dict:
    """``layout`` (a figure's, or a narrower variant's patch ``over`` the
    figure's layout) on a page of its own: wider side margins and room for the
    axes' labels, and, for a figure that plays back, plotly's own Play and
    slider under what the layout has below its plot area (no app draws them)."""
    own, base = over is None, over or {}
    layout = dict(layout)
    for name in layout:
        if name.startswith(("xaxis", "yaxis")):
            layout[name] = layout[name] | {"automargin": True}
    if own or "margin" in layout:  # a variant without margins keeps the figure's
        below = layout.get("margin", {}).get("b", base.get("margin", {}).get("b", 0))
        layout["margin"] = layout.get("margin", {}) | {"l": 70, "r": 30}
        if playback:
            layout |= plotly_controls(playback, below)
            layout["margin"]["b"] = below + 90
    if playback and (own or "height" in layout):
        layout["height"] = layout.get("height", 450) + 90
    return layout
