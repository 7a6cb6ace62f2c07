"""Does a run fold, separate, or neither? One rule for every page, the CLI and the tests.

A run is read against its own data's references (references.py): the oracle,
which recommends the data's own share of other groups' items and separates
the groups as much as the data does, and a random ranking. Two shares say
where the run stands between them:

    excess spurious = (spurious@k - the oracle's) / (a random ranking's - the oracle's)
        0: no more spurious picks than the data itself has; 1: as many as chance
    kept separation = (cross-group AUC - 0.5) / (the oracle's AUC - 0.5)
        1: the groups as far apart as in the data; 0: no better than chance

A run **folds** when its excess spurious is at least FOLD_EXCESS and it keeps
at most FOLD_KEPT of the data's separation: its top-k is closer to a random
ranking's than to the data's, and so is its whole ranking. It **separates**
when its excess spurious is at most SEPARATE_EXCESS and it keeps at least
SEPARATE_KEPT. Anything between is **neither**. A run can go past the data
(a negative excess, more than all of the separation kept): it separates the
groups more than the data does, which with a leak means it ignores some of a
query's real interests in other groups.

Both shares are relative to the references, so the rule reads alike at every
k (with k above the items of a group, even the oracle recommends other
groups' items), leak and group count. When the data itself barely separates
its groups (a leak near 1 - 1/G) there is nothing to keep, and every run is
``neither`` here; the pages and the CLI give no verdict at all there
(claims.no_room says why).
"""

from __future__ import annotations

from recdemo.references import References

FOLDS, SEPARATES, NEITHER = "folds", "separates", "neither"
VERDICTS = (FOLDS, SEPARATES, NEITHER)
FOLD_EXCESS, FOLD_KEPT = 0.5, 0.5
SEPARATE_EXCESS, SEPARATE_KEPT = 0.25, 0.75
# Below this, the data's own spurious share is as high as chance's, or its
# AUC as low: its groups barely differ, and nothing folds or separates.
NOTHING_TO_KEEP = 0.05


def excess_spurious(metrics: dict, refs: References) -> float | None:
    """Where the run's spurious@k lies from the data's own (0) to a random
    ranking's (1); None when the two are too close to tell apart."""
    room = refs.random["spurious_at_k"] - refs.oracle["spurious_at_k"]
    if room < NOTHING_TO_KEEP:
        return None
    return (metrics["spurious_at_k"] - refs.oracle["spurious_at_k"]) / room


def kept_separation(metrics: dict, refs: References) -> float | None:
    """The share of the data's own cross-group AUC above chance that the run
    keeps (1: as separated as the data; 0: chance); None when the data's own
    AUC is at chance."""
    room = refs.oracle["cross_group_auc"] - 0.5
    if room < NOTHING_TO_KEEP:
        return None
    return (metrics["cross_group_auc"] - 0.5) / room


def verdict(metrics: dict, refs: References) -> str:
    """FOLDS, SEPARATES or NEITHER, by the rule above."""
    excess, kept = excess_spurious(metrics, refs), kept_separation(metrics, refs)
    if excess is None or kept is None:
        return NEITHER
    if excess >= FOLD_EXCESS and kept <= FOLD_KEPT:
        return FOLDS
    if excess <= SEPARATE_EXCESS and kept >= SEPARATE_KEPT:
        return SEPARATES
    return NEITHER


# A run within this share of the way from a random ranking on every number is at chance.
CHANCE = 0.1
RECALL = "within_group_recall_at_k"


def at_chance(metrics: dict, refs: References) -> bool:
    """Is the run no better than a random ranking on every number: its
    excess spurious at least 1 - CHANCE, at most CHANCE of the data's
    separation kept, and its within-group recall at most CHANCE of the way
    from a random ranking's to the oracle's? False where a number cannot tell
    (no room between the references, or no recall measured): a folded run
    that still ranks inside each group is not at chance."""
    excess, kept = excess_spurious(metrics, refs), kept_separation(metrics, refs)
    if excess is None or kept is None:
        return False
    return excess >= 1 - CHANCE and kept <= CHANCE and recall_at_chance(metrics, refs)


def recall_at_chance(metrics: dict, refs: References) -> bool:
    """Is the run's within-group recall at most CHANCE of the way from a random
    ranking's to the oracle's? False where it cannot tell (no room between
    them, or no recall measured)."""
    room = refs.oracle.get(RECALL, 0.0) - refs.random.get(RECALL, 0.0)
    if room < NOTHING_TO_KEEP or RECALL not in metrics:
        return False
    return (metrics[RECALL] - refs.random[RECALL]) / room <= CHANCE


# A run's spurious@k or AUC this far past the oracle's is said to go past the
# data; a smaller difference is not worth a sentence.
BEYOND_MARGIN = 0.02


# Metrics that agree to this many decimals are equal: what differs past it is
# float rounding (0.69 - 0.68 is 0.009999999999999898; 0.12 < 0.14 - 0.02).
SAME_DIGITS = 9


def difference(a: float, b: float) -> float:
    """a - b as the rules compare it with a margin, rounded to SAME_DIGITS: a
    run exactly 0.02 past the data's own is not past it "by more than 0.02",
    whichever way the floats round."""
    return round(a - b, SAME_DIGITS)


def fewer_spurious_than_the_data(metrics: dict, refs: References) -> bool:
    return difference(refs.oracle["spurious_at_k"], metrics["spurious_at_k"]) > BEYOND_MARGIN


def higher_auc_than_the_data(metrics: dict, refs: References) -> bool:
    return difference(metrics["cross_group_auc"], refs.oracle["cross_group_auc"]) > BEYOND_MARGIN


def beyond_the_data(metrics: dict, refs: References) -> bool:
    """Does the run separate the groups more than the data does, on spurious@k
    or on cross-group AUC (by more than BEYOND_MARGIN)?"""
    return fewer_spurious_than_the_data(metrics, refs) or higher_auc_than_the_data(metrics, refs)


# The lesson's story: what each strategy does to the groups. Gravity is there
# to unfold positives-only.
STORY = {"positives-only": FOLDS, "in-group": FOLDS, "full": SEPARATES, "uniform": SEPARATES,
         "hard": SEPARATES, "popularity": SEPARATES, "in-batch": SEPARATES, "mixed": SEPARATES}


def expected(config) -> str | None:
    """What the lesson says a softmax run of ``config`` (a TrainConfig) does,
    or None where it says nothing. A run that switches mid-run ends as the
    strategy (and gravity) it switched to: its last epochs decide."""
    switched = getattr(config, "switch_at", 0) > 0
    strategy = config.switch_to if switched else config.strategy
    gravity = config.switch_gravity if switched else getattr(config, "gravity", 0.0)
    if strategy == "positives-only" and gravity > 0:
        return SEPARATES
    return STORY.get(strategy)
