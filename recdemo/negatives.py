"""Negatives seen: which items each group's queries were pushed away from.

The cause beside the effect. While a model trains, every batch adds to two
(query group x item) tables, kept per epoch so that playback can follow:

- ``negatives_seen[e, g, j]``: how many times item j was a negative of a
  query of group g in epoch e. Exact counts of what the sampler drew (a
  masked accidental hit is no negative and is not counted); for the full
  softmax every item that is not a query's target is one of its negatives;
  positives-only has none.
- ``pushed_down[e, g, j]``: how hard those negatives pushed item j down, the
  softmax's weight p_hat_bj on it summed over those times (dL/ds_bj =
  (p_hat_bj - t_bj) / B, and t_bj = 0 for a negative). For the full softmax
  this is the gradient mass over the whole corpus; for a sampled softmax the
  weight inside the candidates, logQ offsets included. This is where the
  correction shows: it does not change which items are drawn, only how hard
  each draw pushes.

Summed over the items of each group they give the groups x groups matrices
of ``group_matrix``: in-group's off-diagonal is exactly zero.

Both are float32: the counts are exact integers far below 2**24 at the
largest settings the parameter table allows (at most queries x times an item
can be drawn per epoch), and each epoch is summed in float64 first.
"""

from __future__ import annotations

import numpy as np

from recdemo.samplers import Batch, Candidates


class NegativesSeen:
    """Accumulates ``negatives_seen`` and ``pushed_down`` while a model trains:
    ``add`` after each batch's loss, ``end_epoch`` after each epoch."""

    def __init__(self, n_groups: int, n_items: int, epochs: int):
        self.n_groups, self.n_items = n_groups, n_items
        self.counts = np.zeros((epochs, n_groups, n_items), dtype=np.float32)
        self.pushes = np.zeros((epochs, n_groups, n_items), dtype=np.float32)
        self.epoch = 0
        self._counts = np.zeros((n_groups, n_items))  # this epoch's, in float64
        self._pushes = np.zeros((n_groups, n_items))
        self._pending = []  # batches whose queries each have their own candidates
        self._one_hot = np.eye(n_groups)  # row g: group g, one-hot
        self._column = np.zeros(n_items, dtype=np.intp)  # an item's column among shared candidates

    def add(self, batch: Batch, candidates: Candidates, dscores: np.ndarray) -> None:
        """Count one batch's negatives; ``dscores`` is the loss's dL/ds of its
        candidates (model.candidate_gradients)."""
        if candidates.loss != "softmax":  # positives only: no negatives
            return
        if candidates.items is not None and candidates.items.ndim == 2:
            # Each query its own few candidates, its P positives first (as
            # samplers.NegativeSampler lays them out): counted together at the
            # end of the epoch, in one bincount per table, so that a cheap
            # step stays cheap.
            if self._pending and self._pending[-1][1].items.shape[1] != candidates.items.shape[1]:
                self._count_pending()  # (a concatenation needs one width)
            self._pending.append((batch, candidates, dscores))
            return
        # Every query shares the candidates: the whole corpus, or in-batch's
        # distinct items, where a query's targets are its positives.
        # One (G, B) x (B, C) product per table, and no (B, C) temporary:
        # p_hat = B dL/ds + t, so the p_hat of the negatives is B times dL/ds
        # summed over all candidates minus over the targets.
        B, G = len(batch.groups), self.n_groups
        by_group = self._one_hot[batch.groups].T  # (G, B): 1 where query b is of group g
        if candidates.items is None:
            columns, C, target_column = slice(None), self.n_items, batch.positives
        else:
            columns, C = candidates.items, len(candidates.items)
            self._column[columns] = np.arange(C)
            target_column = self._column[batch.positives]  # (B, P)
        target_cell = (batch.groups[:, None] * C + target_column).ravel()
        at_targets = dscores[np.arange(B)[:, None], target_column].ravel()
        on_targets = np.bincount(target_cell, at_targets, G * C).reshape(G, C)
        self._pushes[:, columns] += B * (by_group @ dscores - on_targets)
        if candidates.copies is None:  # the whole corpus: every non-target item, once
            targets = np.bincount(target_cell, minlength=G * C).reshape(G, C)
            self._counts[:, columns] += by_group.sum(axis=1)[:, None] - targets
        else:
            self._counts[:, columns] += by_group @ candidates.copies

    def _count_pending(self) -> None:
        pending, self._pending = self._pending, []
        if not pending:
            return
        P = pending[0][0].positives.shape[1]

        def negatives(arrays):  # the negative columns of every batch, one under another
            return np.concatenate([array[:, P:] for array in arrays])

        items = negatives([candidates.items for _, candidates, _ in pending])
        masked = negatives([candidates.logit_offsets for _, candidates, _ in pending]) == -np.inf
        dscores = negatives([dscores for _, _, dscores in pending])
        groups = np.concatenate([batch.groups for batch, _, _ in pending])
        # Each negative's (group, item) cell; a masked accidental hit goes to
        # one more cell, which is dropped.
        size = self._counts.size
        cell = (groups * self.n_items)[:, None] + items
        np.putmask(cell, masked, size)
        # p_hat of a negative is B dL/ds: the batches' usual B once at the end,
        # and the rows of a batch of another size (the last) rescaled first.
        B, first = len(pending[0][0].groups), 0
        for batch, _, _ in pending:
            if len(batch.groups) != B:
                dscores[first:first + len(batch.groups)] *= len(batch.groups) / B
            first += len(batch.groups)
        self._counts += np.bincount(cell.ravel(), minlength=size + 1)[:size].reshape(
            self._counts.shape)
        self._pushes += B * np.bincount(cell.ravel(), dscores.ravel(), size + 1)[:size].reshape(
            self._pushes.shape)

    def end_epoch(self) -> None:
        self._count_pending()
        self.counts[self.epoch] = self._counts
        self.pushes[self.epoch] = self._pushes
        self._counts[:] = 0.0
        self._pushes[:] = 0.0
        self.epoch += 1


def group_matrix(table: np.ndarray, item_groups: np.ndarray) -> np.ndarray:
    """(..., G, G) from a (..., G, n) table (one epoch's, or all epochs'):
    entry [g, h] sums the items of group h for the queries of group g."""
    n_groups = table.shape[-2]
    return table @ (item_groups[:, None] == np.arange(n_groups)[None, :]).astype(table.dtype)


def shares(matrix: np.ndarray) -> np.ndarray:
    """Each row of a (..., G, G) group matrix as shares of its total (what
    share of group g's negatives came from each group); NaN for a row with
    nothing in it (positives-only, or a frame before any training)."""
    total = matrix.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, matrix / total, np.nan)


def up_to_each_frame(per_epoch: np.ndarray) -> np.ndarray:
    """(epochs + 1, ...) running totals from (epochs, ...) per-epoch tables:
    frame 0 (initialization) has none, frame e everything up to epoch e, as
    the history's other snapshots."""
    running = np.cumsum(per_epoch, axis=0, dtype=float)
    return np.concatenate([np.zeros((1, *per_epoch.shape[1:])), running])


def per_item(table: np.ndarray) -> np.ndarray:
    """(n,) totals of each item over every query group (and every epoch)."""
    return table.reshape(-1, table.shape[-1]).sum(axis=0, dtype=float)
