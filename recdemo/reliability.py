"""Where the lesson is reliable, and a sentence for the page when the settings leave it.

The tests (tests/test_phenomenon.py) check the lesson inside this region:
with RELIABLE_GROUPS groups, a leak of at most RELIABLE_LEAK and the default
training, positives-only and in-group fold and uniform, full and hard
separate, on data as small as SMALLEST_CHECKED_DATA. Outside it the pictures
may still fold or separate, but nothing promises it, and the page says why.
"""

from __future__ import annotations

from recdemo.metrics import oracle_metrics
from recdemo.params import PARAMS
from recdemo.train import gradient_steps

RELIABLE_GROUPS = (4, 8)  # inclusive: every group count the app allows from 4 up
RELIABLE_LEAK = 0.05
SMALLEST_CHECKED_DATA = {"items_per_group": 25, "queries_per_group": 120}


def fewest_checked_steps() -> int:
    """The fewest gradient steps of a run the tests check: the smallest data at
    the fewest groups, with the default training."""
    queries = RELIABLE_GROUPS[0] * SMALLEST_CHECKED_DATA["queries_per_group"]
    return gradient_steps(queries, PARAMS["epochs"].default, PARAMS["batch_size"].default)


def reliability_notes(dataset, config) -> list[str]:
    """One sentence per way the settings leave the region where the lesson is
    checked, each with its reason (empty inside it)."""
    data = dataset.config
    notes = []
    if data.groups < RELIABLE_GROUPS[0]:
        notes.append(
            f"With {data.groups} groups the lesson is less reliable (it is checked for "
            f"{RELIABLE_GROUPS[0]} to {RELIABLE_GROUPS[1]}): a random ranking already draws "
            f"only {1 - 1 / data.groups:.0%} of a top-k from other groups, so folding has "
            "less room to show, and positives-only folds on some seeds only.")
    if data.leak > RELIABLE_LEAK:
        oracle = oracle_metrics(dataset, config.k)
        notes.append(
            f"With a leak of {data.leak:.2f} the groups overlap in the data itself: even a "
            f"perfect model recommends {oracle['spurious_at_k']:.0%} from other groups and "
            f"reaches a cross-group AUC of {oracle['cross_group_auc']:.2f}. The lesson is "
            f"checked up to a leak of {RELIABLE_LEAK}.")
    steps = gradient_steps(len(dataset.train), config.epochs, config.batch_size)
    fewest = fewest_checked_steps()
    if steps < fewest:
        notes.append(
            f"This run takes only {steps} gradient steps (epochs x training queries / batch "
            f"size); the lesson is checked from {fewest} up, and folding grows with "
            "training: raise epochs or queries per group, or lower batch size.")
    return notes
