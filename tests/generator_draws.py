"""The data generator's own draws, repeated: what the tests of its chances
(test_data.py, test_references.py) compare those chances with."""

from __future__ import annotations

import numpy as np

from recdemo.data import _draw_positives


def redrawn_frequencies(data, copies: int, seed: int) -> np.ndarray:
    """How often each item is among the first test query's positives when the
    generator draws them again for ``copies`` copies of that query."""
    query = data.test.latent[0] - data.centers[data.test.groups[0]]
    groups = np.full(copies, data.test.groups[0])
    item_offsets = data.item_latent - data.centers[data.item_groups]
    picks = _draw_positives(groups, np.tile(query, (copies, 1)), item_offsets,
                            data.item_log_popularity, data.config, np.random.default_rng(seed))
    return np.bincount(picks.ravel(), minlength=data.n_items) / copies
