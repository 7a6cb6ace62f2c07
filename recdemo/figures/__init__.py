"""Plotly figures: queries are squares, items are circles, one color and one name per group.

Figures are built from library results only (Dataset, TrainResult,
Projection, the metrics module); they compute no metric themselves.

- style: palette, names, labels, typed arrays, AnimatedFigure
- embedding: the Train page's animated picture (embeddings beside what it recommends)
- recommendations: the exact "what it recommends" matrix, as traces
- panels: small multiples, metric bars, training curves
- groups: pictures of the data itself
- cost: the time of one training step as the corpus grows

Each figure has its text alternative beside it (``<figure>_alt``): what it
shows, with its main numbers, computed from the same data, for a screen reader.
"""

from recdemo.figures.cards import metric_cards
from recdemo.figures.cost import step_cost_alt, step_cost_figure
from recdemo.figures.embedding import (
    FRAME_MS,
    balanced_snapshots,
    embedding_alt,
    embedding_figure,
)
from recdemo.figures.groups import (
    group_sizes_alt,
    group_sizes_figure,
    interaction_matrix_alt,
    interaction_matrix_figure,
    latent_alt,
    latent_figure,
)
from recdemo.figures.negatives import (
    negatives_alt,
    negatives_figure,
    negatives_small_multiples,
    negatives_small_multiples_alt,
)
from recdemo.figures.panels import (
    metrics_bar_alt,
    metrics_bar_figure,
    small_multiples_alt,
    small_multiples_figure,
    training_curves_alt,
    training_curves_figure,
)
from recdemo.figures.style import (
    FONT,
    METRIC_LABELS,
    PALETTE,
    STRATEGY_COLORS,
    AnimatedFigure,
    array_values,
    delta_text,
    group_color,
    group_name,
    metric_label,
    run_label,
    typed_array,
    with_font_size,
)

__all__ = [
    "AnimatedFigure", "FONT", "FRAME_MS", "METRIC_LABELS", "PALETTE", "STRATEGY_COLORS",
    "array_values", "balanced_snapshots", "delta_text", "embedding_alt", "embedding_figure",
    "group_color", "group_name", "group_sizes_alt", "group_sizes_figure",
    "interaction_matrix_alt", "interaction_matrix_figure", "latent_alt", "latent_figure",
    "metric_cards", "metric_label", "metrics_bar_alt", "metrics_bar_figure", "negatives_alt",
    "negatives_figure", "negatives_small_multiples", "negatives_small_multiples_alt",
    "run_label", "small_multiples_alt", "small_multiples_figure", "step_cost_alt",
    "step_cost_figure", "training_curves_alt", "training_curves_figure", "typed_array",
    "with_font_size",
]
