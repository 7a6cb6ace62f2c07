"""What the app shows of a trained model, frame by frame (TrainHistory), and
how a trainer keeps it (Frames): shared by the softmax model (train.py, a
frame per epoch) and matrix factorization (mf.py, a frame per sweep)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from recdemo.metrics import metrics_and_top_k


@dataclass(frozen=True)
class TrainHistory:
    """What the app shows of a trained model, frame by frame: its loss, its
    test metrics and its embeddings. The figures and exports read only this,
    so they draw the softmax model (a frame per epoch) and matrix
    factorization (recdemo/mf.py, a frame per sweep) alike."""

    FRAME: ClassVar[str] = "epoch"  # what one frame is, in the figures' words

    config: object  # train.TrainConfig or mf.MFConfig; the figures read its .strategy and .k
    losses: np.ndarray  # (epochs,) mean training loss of each epoch
    metrics: list[dict[str, float]]  # epochs + 1 entries: at initialization, then after each epoch
    # (epochs, G, n) float32, each epoch's own (negatives.py; None for matrix
    # factorization): times item j was a negative of a group-g query, and the
    # softmax weight p_hat those times pushed it down with.
    negatives_seen: np.ndarray | None = field(default=None, kw_only=True)
    pushed_down: np.ndarray | None = field(default=None, kw_only=True)
    query_snapshots: np.ndarray  # (epochs + 1, m, d) test query embeddings per epoch
    item_snapshots: np.ndarray  # (epochs + 1, n, d) item embeddings per epoch
    top_k_snapshots: np.ndarray  # (epochs + 1, m, k) each test query's top-k item ids per epoch
    train_seconds: float  # wall-clock
    cpu_seconds: float  # the CPU time of the process that trained it: less noisy under load

    @property
    def final_metrics(self) -> dict[str, float]:
        return self.metrics[-1]

    @property
    def final_loss(self) -> float:
        return float(self.losses[-1])

    def summary(self) -> dict:
        """The final figures of the run, as the CLI's JSON prints them."""
        # A softmax run may switch mid-run (TrainConfig.switch_text); MF does not.
        switch = self.config.switch_text() if hasattr(self.config, "switch_text") else ""
        return {
            "strategy": f"{self.config.strategy}, {switch}" if switch else self.config.strategy,
            **{name: round(value, 4) for name, value in self.final_metrics.items()},
            "final_loss": round(self.final_loss, 4),
            "train_seconds": round(self.train_seconds, 3),
            "cpu_seconds": round(self.cpu_seconds, 3),
            "k": self.config.k,
        }

    @property
    def query_embeddings(self) -> np.ndarray:
        return self.query_snapshots[-1]

    @property
    def item_embeddings(self) -> np.ndarray:
        return self.item_snapshots[-1]


class Frames:
    """What a history keeps of each frame (an epoch, or a WALS sweep), measured
    on the held-out ``queries``: their embeddings Q, the item embeddings V,
    each query's top-k and the metrics."""

    def __init__(self, queries, item_groups: np.ndarray, k: int):
        self.queries, self.item_groups, self.k = queries, item_groups, k
        self.Q, self.V, self.top_k, self.metrics = [], [], [], []

    def add(self, Q: np.ndarray, V: np.ndarray) -> None:
        self.Q.append(Q)
        self.V.append(V.copy())  # V may be the live weights
        metrics, picks = metrics_and_top_k(Q, V, self.queries, self.item_groups, self.k)
        self.top_k.append(picks.astype(np.int32))
        self.metrics.append(metrics)

    def arrays(self) -> dict:
        """The TrainHistory fields they fill."""
        return {"metrics": self.metrics, "query_snapshots": np.stack(self.Q),
                "item_snapshots": np.stack(self.V), "top_k_snapshots": np.stack(self.top_k)}
