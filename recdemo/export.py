"""Files a teacher can take away: the chart as a standalone page, the metrics per epoch."""

from __future__ import annotations

import csv
import io
import json

from recdemo.metrics import METRICS


def history_rows(result) -> list[dict]:
    """One row per epoch (0 = before training): its training loss and test metrics."""
    losses = [None, *(round(float(x), 6) for x in result.losses)]
    return [
        {"epoch": epoch, "strategy": result.config.strategy, "loss": loss,
         **{name: round(metrics[name], 6) for name in METRICS}, "k": result.config.k}
        for epoch, (loss, metrics) in enumerate(zip(losses, result.metrics, strict=True))
    ]


def history_csv(result) -> str:
    rows = history_rows(result)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def history_json(result) -> str:
    return json.dumps({"config": vars(result.config), "epochs": history_rows(result)}, indent=2)


def figure_html(fig) -> str:
    """A standalone page with plotly.js inside, so it opens without a network."""
    return fig.to_html(include_plotlyjs=True, full_html=True, auto_play=False)
