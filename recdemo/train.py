"""Train the softmax recommender with one sampling strategy.

    result = train(make_dataset(), TrainConfig(strategy="uniform"))

Adam on mini-batches of training queries, vectorized over the batch. After
every epoch the metrics are measured on the held-out test queries and the
embeddings are kept, so the app can replay training frame by frame, with
the negatives each group's queries saw (negatives.py).

A run can switch strategy (and gravity) after epoch ``switch_at``: it goes on
from its parameters, optimizer state and random stream, so its first
``switch_at`` epochs are the unswitched run's, bit for bit.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, fields

import numpy as np
from threadpoolctl import threadpool_limits

from recdemo.adam import Adam
from recdemo.data import Dataset
from recdemo.history import Frames, TrainHistory
from recdemo.model import flatten, init_params, loss_and_grads, query_tower
from recdemo.negatives import NegativesSeen
from recdemo.params import PARAMS
from recdemo.samplers import Batch, make_sampler

# A loss this many times above the first batch's loss has diverged even if finite.
DIVERGENCE_FACTOR = 1e3
# Bounds the work one run (one browser tab) can ask of a shared server: a few
# seconds at the largest sizes the parameter table allows. The default run
# takes a small share of it (gradient_steps).
MAX_STEPS = 1500


class TrainingDiverged(RuntimeError):
    """Raised instead of returning NaN or exploding embeddings."""


@dataclass(frozen=True)
class TrainConfig:
    strategy: str = PARAMS["strategy"].default
    negatives: int = PARAMS["negatives"].default
    dim: int = PARAMS["dim"].default
    hidden: int = PARAMS["hidden"].default
    epochs: int = PARAMS["epochs"].default
    batch_size: int = PARAMS["batch_size"].default
    learning_rate: float = PARAMS["learning_rate"].default
    l2: float = PARAMS["l2"].default
    gravity: float = PARAMS["gravity"].default
    temperature: float = PARAMS["temperature"].default
    logq_correction: bool = PARAMS["logq_correction"].default
    k: int = PARAMS["k"].default
    seed: int = PARAMS["seed"].default
    switch_at: int = PARAMS["switch_at"].default
    switch_to: str = PARAMS["switch_to"].default
    switch_gravity: float = PARAMS["switch_gravity"].default

    def __post_init__(self):
        for f in fields(self):
            PARAMS[f.name].check(getattr(self, f.name))

    def switched(self, epoch: int) -> bool:
        """Does epoch ``epoch`` (1 = the first) train after the switch?"""
        return 0 < self.switch_at < epoch

    def strategies(self) -> tuple[str, ...]:
        """The strategies the run trains with: its own, then switch_to if it switches."""
        return (self.strategy, self.switch_to) if self.switch_at else (self.strategy,)

    def strategy_in_epoch(self, epoch: int) -> str:
        return self.switch_to if self.switched(epoch) else self.strategy

    def gravity_in_epoch(self, epoch: int) -> float:
        return self.switch_gravity if self.switched(epoch) else self.gravity

    def without_switch(self) -> TrainConfig:
        """The same run with no switch mid-run."""
        return dataclasses.replace(self, **{name: PARAMS[name].default
                                            for name in ("switch_at", "switch_to",
                                                         "switch_gravity")})

    def switch_text(self) -> str:
        """The switch in words, e.g. "then uniform after epoch 7" ("" if none)."""
        if not self.switch_at:
            return ""
        gravity = f" with gravity {self.switch_gravity:g}" if self.switch_gravity else ""
        return f"then {self.switch_to}{gravity} after epoch {self.switch_at}"


@dataclass(frozen=True)
class TrainResult(TrainHistory):
    tower: dict[str, np.ndarray]  # the final query tower W1, b1, W2, b2: embeds any new query


def train(dataset: Dataset, config: TrainConfig | None = None, on_epoch=None) -> TrainResult:
    """Train on ``dataset.train``; measure on ``dataset.test`` after each epoch.

    ``on_epoch(epoch, epochs)`` is called after each epoch (for a progress bar).
    Raises TrainingDiverged, naming the setting to lower, if the loss or the
    weights stop being finite numbers, and ValueError if the run would take
    more than MAX_STEPS gradient steps.
    """
    config = config or TrainConfig()
    if config.switch_at >= config.epochs:
        raise ValueError(f"switch_at must be 0 (no switch) or less than epochs "
                         f"({config.epochs}), so that some epochs train after the switch; "
                         f"got {config.switch_at}.")
    steps = gradient_steps(len(dataset.train), config.epochs, config.batch_size)
    if steps > MAX_STEPS:
        raise ValueError(
            f"This run needs {steps} gradient steps (epochs x training queries / batch_size) "
            f"and the limit is {MAX_STEPS}: lower epochs, groups or queries_per_group, "
            f"or raise batch_size."
        )
    start, cpu_start = time.perf_counter(), time.process_time()
    rng = np.random.default_rng([config.seed, 1])  # its own stream, apart from the data's
    train_q = dataset.train
    flat, params = init_params(train_q.features.shape[1], dataset.n_items, config.dim,
                               config.hidden, rng)
    adam = Adam(len(flat), config.learning_rate)

    def sampler_of(strategy):
        return make_sampler(strategy, config.negatives, dataset, config.temperature,
                            config.logq_correction)

    sampler = sampler_of(config.strategy)
    frames = Frames(dataset.test, dataset.item_groups, config.k)
    seen = NegativesSeen(dataset.n_groups, dataset.n_items, config.epochs)

    def snapshot():
        frames.add(query_tower(params, dataset.test.features)[0], params["V"])

    snapshot()
    losses = []
    first_loss = None
    for epoch in range(1, config.epochs + 1):
        if epoch == config.switch_at + 1 and config.switched(epoch):
            sampler = sampler_of(config.switch_to)
            first_loss = None  # a new loss (gravity switched on, say): measured from its start
        gravity = config.gravity_in_epoch(epoch)
        order = rng.permutation(len(train_q))
        batch_losses = []
        for start_row in range(0, len(order), config.batch_size):
            rows = order[start_row:start_row + config.batch_size]
            batch = Batch(train_q.positives[rows], train_q.weights[rows], train_q.groups[rows])
            x = train_q.features[rows]
            tower = query_tower(params, x)
            candidates = sampler(batch, tower[0], params["V"], rng)
            loss, grads = loss_and_grads(params, x, candidates, gravity, config.l2, tower)
            first_loss = abs(loss) if first_loss is None else first_loss
            if not np.isfinite(loss) or abs(loss) > DIVERGENCE_FACTOR * max(first_loss, 1.0):
                raise TrainingDiverged(_diverged_message(config, epoch, loss))
            adam.step(flat, flatten(grads))
            seen.add(batch, candidates, grads["scores"])
            batch_losses.append(loss)
        if not np.isfinite(flat).all():
            raise TrainingDiverged(_diverged_message(config, epoch, float("nan")))
        losses.append(float(np.mean(batch_losses)))
        seen.end_epoch()
        snapshot()
        if on_epoch is not None:
            on_epoch(epoch, config.epochs)

    return TrainResult(
        config=config,
        losses=np.array(losses),
        negatives_seen=seen.counts,
        pushed_down=seen.pushes,
        **frames.arrays(),
        train_seconds=time.perf_counter() - start,
        cpu_seconds=time.process_time() - cpu_start,
        tower={name: params[name].copy() for name in ("W1", "b1", "W2", "b2")},
    )


def gradient_steps(queries: int, epochs: int, batch_size: int) -> int:
    """Gradient steps of a run: epochs x batches per epoch. The data sliders
    change it as much as the epochs do."""
    return epochs * -(-queries // batch_size)


def one_blas_thread() -> None:
    """Limit this process to one BLAS thread (an initializer for worker
    processes; importing this module has loaded numpy's BLAS, so the limit
    takes). The matrices are small: with several processes training at once,
    extra BLAS threads only spin and double the CPU time of a run."""
    threadpool_limits(1)


def _diverged_message(config: TrainConfig, epoch: int, loss: float) -> str:
    gravity = "switch_gravity" if config.switched(epoch) else "gravity"
    weight = config.gravity_in_epoch(epoch)
    return (
        f"Training diverged in epoch {epoch} (loss = {loss:.3g}): "
        f"lower learning_rate (now {config.learning_rate:g}; "
        f"{PARAMS['learning_rate'].default:g} is the default)"
        + (f" or {gravity} (now {weight:g})" if weight > 0 else "")
        + "."
    )
