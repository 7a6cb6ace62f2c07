"""The Train page's numbers as cards that follow the epoch on screen.

The chart component (ui/plot.js) shows them beside the picture and updates
them with every frame of the replay, so the numbers a student reads are
always the epoch the picture shows. Built here, from the run's own metrics
after every epoch; nothing is computed in the browser.
"""

from __future__ import annotations

from recdemo.figures.style import delta_text, metric_label
from recdemo.metrics import METRICS
from recdemo.wording import fmt


def metric_cards(result, baseline=None, hidden: dict[str, str] | None = None) -> dict:
    """For every metric, its label and its value at every frame of ``result``
    (text), and, given a ``baseline`` run with as many frames, the change
    against the baseline at the same frame. ``hidden``: metric -> why it is
    left out (a dash is shown, the reason is its help)."""
    hidden = hidden or {}
    k = result.config.k
    frames = range(len(result.metrics))
    cards = []
    for name in METRICS:
        card = {"label": metric_label(name, k), "lower_is_better": name == "spurious_at_k"}
        if name in hidden:
            card |= {"values": ["–"] * len(frames), "help": hidden[name], "deltas": None}
        else:
            card["values"] = [fmt(result.metrics[f][name], short=True) for f in frames]
            card["deltas"] = None if baseline is None else [
                delta_text(result.metrics[f][name] - baseline.metrics[f][name]) for f in frames]
        cards.append(card)
    return {"cards": cards, "frame_label": result.FRAME,
            "against": None if baseline is None else "plain positives-only (no gravity), same "
                                                       f"data and seed, at the same {result.FRAME}"}
