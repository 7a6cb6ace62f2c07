"""The cost of one training step as the corpus grows: why sample at all.

    costs = measure(CostConfig(corpus_sizes=(1_000, 10_000, 100_000), repeats=3))

answers in seconds (the full step at 100,000 items is most of it);
``CostConfig()``'s defaults, up to a million items, take several times as long.

Times one step of ``large_corpus.LargeCorpusModel`` per strategy and corpus
size (a sampled step touches only its candidates' rows; the full softmax
touches all n), and traces its peak memory, on a random batch: the cost does
not depend on which items a query likes. In-batch negatives are the batch's
own positives: its step reads no item row beyond them, and its cost grows
with the batch (B x B P scores), not with the corpus.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from recdemo.data import FEATURES
from recdemo.large_corpus import CHUNK_ITEMS, LargeCorpusModel
from recdemo.params import COST_PARAMS, PARAMS
from recdemo.samplers import HARD_POOL_SIZE, Batch, make_sampler
from recdemo.wording import quantity

DEFAULT_CORPUS_SIZES = (1_000, 10_000, 100_000, 1_000_000)

def check_strategies(strategies) -> tuple[str, ...]:
    """At least one strategy, each one of COST_STRATEGIES (a ParamError names them)."""
    strategies = COST_PARAMS["strategies"].check(tuple(strategies))
    if not strategies:
        raise COST_PARAMS["strategies"].error(strategies)
    return strategies


@dataclass(frozen=True)
class CostConfig:
    """What to measure: every strategy at every corpus size, same batch and seed.
    Each setting is checked by its row of params.COST_PARAMS (the corpus
    sizes each by the n_items row), the seed by PARAMS's."""

    corpus_sizes: tuple[int, ...] = DEFAULT_CORPUS_SIZES  # n_items of each cell
    strategies: tuple[str, ...] = COST_PARAMS["strategies"].default
    dim: int = COST_PARAMS["dim"].default
    batch_size: int = COST_PARAMS["batch_size"].default
    negatives: int = COST_PARAMS["negatives"].default
    repeats: int = COST_PARAMS["repeats"].default  # timed steps per cell, after a warm-up step
    seed: int = 0

    def __post_init__(self):
        """Every setting checked by its row (a ParamError, a ValueError, names it)."""
        object.__setattr__(self, "corpus_sizes", tuple(int(COST_PARAMS["n_items"].check(n))
                                                       for n in self.corpus_sizes))
        if not self.corpus_sizes:
            raise ValueError("corpus_sizes must list at least one corpus size")
        object.__setattr__(self, "strategies", check_strategies(self.strategies))
        for name in ("dim", "batch_size", "negatives", "repeats"):
            COST_PARAMS[name].check(getattr(self, name))
        PARAMS["seed"].check(self.seed)


@dataclass(frozen=True)
class StepCost:
    """One cell of the measurement: one strategy at one corpus size."""

    strategy: str
    n_items: int  # the corpus size
    step_seconds: float  # median wall-clock time of the timed steps
    cpu_seconds: float  # median CPU time of the same steps: steadier on a busy machine
    cpu_low: float  # the fastest and the slowest of those steps' CPU times: their spread
    cpu_high: float
    peak_bytes: int  # most memory the cell held at once, traced from before building it
    state_bytes: int  # kept between steps: V, the optimizer's state, the sampler's tables
    flops: int  # of the step's matrix products (see step_flops)

    @property
    def step_bytes(self) -> int:
        """The step's own memory: its peak beyond what is kept between steps."""
        return self.peak_bytes - self.state_bytes

    def as_dict(self) -> dict:
        """As ``python -m recdemo cost --json`` prints it: the corpus size
        named ``items``, as its option is, and the step's own memory, as its
        table gives it."""
        cell = asdict(self)
        return {"strategy": cell.pop("strategy"), "items": cell.pop("n_items"), **cell,
                "step_bytes": self.step_bytes}


@dataclass(frozen=True)
class Corpus:
    """What ``samplers.make_sampler`` reads about the items (here: no groups)."""

    n_items: int
    item_popularity: np.ndarray | None  # only the popularity and in-batch samplers read it


def random_batch(n_items: int, batch_size: int, rng) -> tuple[np.ndarray, Batch]:
    """Query features and a Batch of ``PARAMS["positives"].default`` distinct
    random positives per query, equally weighted. The step's cost does not
    depend on which items they are."""
    positives_per_query = PARAMS["positives"].default
    x = rng.standard_normal((batch_size, FEATURES))
    positives = np.stack([rng.choice(n_items, positives_per_query, replace=False)
                          for _ in range(batch_size)])
    weights = np.full(positives.shape, 1.0 / positives_per_query)
    return x, Batch(positives, weights, np.zeros(batch_size, dtype=int))


def zipf_popularity(n_items: int, rng) -> np.ndarray:
    """Popularity proportional to 1 / rank (Zipf, exponent 1), ranks in random order."""
    return (n_items / np.arange(1, n_items + 1))[rng.permutation(n_items)]


def step_flops(strategy: str, n_items: int, dim: int, batch_size: int, negatives: int,
               hidden: int = PARAMS["hidden"].default) -> int:
    """Floating-point operations of one step's matrix products, 2 per multiply-add.

    Full softmax: the scores over all n items twice (normalizer, then
    gradient), dL/dq and dL/dV over all n: 8 B n d. Sampled: the scores, dL/dq
    and dL/dV over the C = P + K candidates: 6 B C d, plus, for hard negatives,
    scoring the pool they are drawn from (min(n, HARD_POOL_SIZE) items per
    query). In-batch: every query scores the batch's U distinct positives,
    6 B U d, counted at its most, U = min(n, B P): B^2 terms, whatever n. All
    add the query tower's forward and backward passes. Element-wise work (exp,
    the optimizer) is not counted.
    """
    positives = PARAMS["positives"].default
    tower = 2 * batch_size * (2 * FEATURES * hidden + 3 * hidden * dim)
    if strategy == "full":
        return tower + 8 * batch_size * n_items * dim + 2 * batch_size * positives * dim
    if strategy == "in-batch":
        return tower + 6 * batch_size * min(n_items, batch_size * positives) * dim
    item_side = 6 * batch_size * (positives + negatives) * dim
    if strategy == "hard":
        item_side += 2 * batch_size * min(n_items, HARD_POOL_SIZE) * dim
    return tower + item_side


# step_flops in the page's symbols, as LaTeX (F features, h hidden units, the
# rest as in CostConfig): what the Why sample? page's caption says each
# strategy's GFLOP counts. tests/test_step_cost.py evaluates each one against
# step_flops, so the two cannot drift apart.
TOWER_FLOPS = "2B(2Fh + 3hd)"
_CANDIDATES = "the $P + K$ candidates' scores and the gradients of the query and of their rows"
ITEM_FLOPS = {  # strategy: (what its products compute beyond the tower, their count)
    "full": ("the scores of all $n$ items twice (normalizer, then gradient), the gradients "
             "of the query and of all $n$ rows, and the positives' scores", "8Bnd + 2BPd"),
    "uniform": (_CANDIDATES, "6B(P + K)d"),
    "popularity": (_CANDIDATES, "6B(P + K)d"),
    "hard": (f"the scores of a pool of $\\min(n, {HARD_POOL_SIZE})$ items per query to draw "
             f"from, then as uniform", f"2B\\min(n, {HARD_POOL_SIZE})d + 6B(P + K)d"),
    "in-batch": ("every query's scores of the batch's distinct positives, counted at their "
                 "most, $\\min(n, BP)$, and the gradients of the query and of their rows",
                 "6B\\min(n, BP)d"),
}


# The Why sample? page's two memory columns, in words.
MEMORY_TEXT = (
    "Memory: *kept MiB* is what a strategy holds between steps: the item table with Adam's "
    "two running means of each row ($3nd$ float32 numbers, whatever the strategy), the "
    "query tower and the sampler's tables. *step MiB* is the most the step itself held "
    "beyond that: its scores, gradients and gathered rows (the full step works through the "
    f"table {CHUNK_ITEMS:,} items at a time)."
)


def flops_text(config: CostConfig) -> str:
    """What the GFLOP column counts, strategy by strategy, in ITEM_FLOPS's
    words and formulas, for the strategies of ``config`` (those with one
    formula named together)."""
    by_formula: dict[tuple[str, str], list[str]] = {}
    for strategy in config.strategies:
        by_formula.setdefault(ITEM_FLOPS[strategy], []).append(f"**{strategy}**")
    parts = [f"{', '.join(names)}: {what}, ${formula}$"
             for (what, formula), names in by_formula.items()]
    P, hidden = PARAMS["positives"].default, PARAMS["hidden"].default
    return ("GFLOP counts the step's matrix products, 2 per multiply-add, with "
            f"the batch's size $B$ = {config.batch_size:,}, $d$ = {config.dim}, "
            f"$P$ = {quantity(P, 'positive')} and $K$ = {quantity(config.negatives, 'negative')} "
            "per query. Every step runs the query tower forward and backward, "
            f"${TOWER_FLOPS}$ ($F$ = {quantity(FEATURES, 'feature')}, "
            f"$h$ = {quantity(hidden, 'hidden unit')}), and beyond it: " + "; ".join(parts)
            + ". Element-wise work (exponentials, the optimizer) is not counted.")


def measure_step(strategy: str, n_items: int, config: CostConfig | None = None) -> StepCost:
    """Build a model of ``n_items`` items, take one warm-up step (its memory is
    traced with tracemalloc), then time ``config.repeats`` steps.

    Runs with one BLAS thread, as the app's training workers do: the figures
    do not depend on how many cores are free, and on a busy machine a second
    thread only spins on every small product of the full step's chunks. The
    CPU time is then the step's wall-clock time on an idle machine, less the
    time a busy one spends running others."""
    config = config or CostConfig()
    check_strategies([strategy])
    n_items = int(COST_PARAMS["n_items"].check(n_items))
    with threadpool_limits(1):
        return _measure_step(strategy, n_items, config)


def _measure_step(strategy: str, n_items: int, config: CostConfig) -> StepCost:
    rng = np.random.default_rng([config.seed, n_items])
    tracing = tracemalloc.is_tracing()
    if not tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    baseline = tracemalloc.get_traced_memory()[0]
    try:
        model = LargeCorpusModel(n_items, config.dim, rng)
        x, batch = random_batch(n_items, config.batch_size, rng)
        if strategy == "full":
            def step():
                model.full_step(x, batch)
        else:
            # Popularity draws from it; in-batch corrects by it (its logQ).
            popularity = (zipf_popularity(n_items, rng) if strategy in ("popularity", "in-batch")
                          else None)
            sampler = make_sampler(strategy, config.negatives, Corpus(n_items, popularity),
                                   temperature=PARAMS["temperature"].default)

            def step():
                model.sampled_step(x, batch, sampler, rng)
        state_bytes = tracemalloc.get_traced_memory()[0] - baseline
        step()
        peak_bytes = tracemalloc.get_traced_memory()[1] - baseline
    finally:
        if not tracing:
            tracemalloc.stop()
    wall, cpu = [], []
    for _ in range(config.repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        step()
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start)
    return StepCost(strategy, n_items, statistics.median(wall), statistics.median(cpu), min(cpu),
                    max(cpu), peak_bytes, state_bytes,
                    step_flops(strategy, n_items, config.dim, config.batch_size, config.negatives))


def measure(config: CostConfig | None = None,
            on_cell: Callable[[int, int, StepCost], None] | None = None) -> list[StepCost]:
    """Every strategy at every corpus size, sizes in increasing order and every
    strategy measured at one size before the next (so ratios at one size come
    from moments close in time). ``on_cell(done, total, cost)`` after each cell."""
    config = config or CostConfig()
    cells = [(strategy, n_items) for n_items in sorted(set(config.corpus_sizes))
             for strategy in config.strategies]
    costs = []
    for strategy, n_items in cells:
        costs.append(measure_step(strategy, n_items, config))
        if on_cell is not None:
            on_cell(len(costs), len(cells), costs[-1])
    return costs
