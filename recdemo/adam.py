"""Adam (Kingma & Ba 2015): the optimizer of the softmax model, dense in
train.py, per row of the item table in large_corpus.py."""

from __future__ import annotations

import numpy as np

ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8


class Adam:
    """Adam (Kingma & Ba 2015) with bias correction, on one flat parameter vector."""

    def __init__(self, size: int, learning_rate: float):
        self.learning_rate = learning_rate
        self.m = np.zeros(size)  # running mean of the gradient
        self.v = np.zeros(size)  # running mean of its square
        self.t = 0

    def step(self, flat: np.ndarray, grad: np.ndarray) -> None:
        """Update ``flat`` in place."""
        b1, b2 = ADAM_BETAS
        self.t += 1
        self.m = b1 * self.m + (1 - b1) * grad
        self.v = b2 * self.v + (1 - b2) * grad * grad
        lr_t = self.learning_rate * np.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        flat -= lr_t * self.m / (np.sqrt(self.v) + ADAM_EPS)
