"""Guided exercises: predict first, then open the view, then read the answer.

Each exercise names the runs its answer reads (``runs``: changes to the
default settings, the exercise's own view first) and computes the answer
from them with recdemo/claims.py, so the answer says what happened on the
very runs the student looked at. Which page shows the view is the app's
business (ui/settings.py's exercise_page).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from recdemo import claims, claims_lesson, wording
from recdemo.claims_practice import switch_claim
from recdemo.references import References


@dataclass(frozen=True)
class Looked:
    """What an answer reads: the exercise's runs, all on the same data."""

    results: list  # a result per Exercise.runs
    labels: list[str]  # each run's label (figures.run_label)
    settings: list[dict]  # each run's settings (params.run_settings)
    refs: References
    test_groups: np.ndarray

    def verdict(self, index: int) -> str:
        return claims.verdict_claim(self.labels[index], self.results[index], self.refs,
                                    self.settings[index]).text


@dataclass(frozen=True)
class Exercise:
    title: str
    settings: dict  # what the exercise's view sets; everything else at its default
    question: str  # to answer before opening the view
    runs: tuple[dict, ...]  # the runs the answer reads: changes to the defaults each
    answer: Callable[[Looked], str]  # computed from those runs


def _folding(looked: Looked) -> str:
    folded, uniform = looked.results
    geometry = "; ".join(c.text for c in claims_lesson.folded_geometry(
        folded=folded, separated=uniform, test_groups=looked.test_groups))
    recall = (claims_lesson.lowest_recall("positives-only", {"positives-only": folded,
                                                             "uniform": uniform},
                                          looked.refs).text
              if claims.recall_is_meaningful(looked.refs.k, looked.refs) else "")
    return f"{looked.verdict(0)} Against uniform on the same data: {geometry}. {recall}"


# One timing of each run on a shared server: a ratio closer to 1 than this is no difference.
SAME_COST = 1.2


def _uniform_or_hard(looked: Looked) -> str:
    uniform, hard = looked.results
    ratio = hard.cpu_seconds / uniform.cpu_seconds
    cost = (f"hard cost about {ratio:.1f} times as much here" if ratio >= SAME_COST else
            f"hard cost less here, {ratio:.1f} times uniform's" if ratio <= 1 / SAME_COST else
            "hard cost about as much here (one timing of each, on a server that serves others, "
            "cannot tell apart times less than a fifth apart)")
    # The two runs differ only in strategy (EXERCISES): as many gradient steps each.
    return (f"{looked.verdict(0)} {looked.verdict(1)} Training hard took "
            f"{wording.significant(hard.cpu_seconds)} CPU seconds, uniform "
            f"{wording.significant(uniform.cpu_seconds)}: {cost}. Both runs take the same "
            "number of gradient steps, so their times compare per step too. Before it draws, "
            "hard scores a pool of items for every query (the Why sample? page times one "
            "step of each, up to a million items).")


def _in_group(looked: Looked) -> str:
    in_group, full = looked.results
    inside = (claims_lesson.good_inside("in-group", in_group, "full", full, looked.refs).text + " "
              if claims.recall_is_meaningful(looked.refs.k, looked.refs) else "")
    auc = claims_lesson.auc_below_half("in-group", in_group).text
    return (f"{looked.verdict(0)} {inside}{auc} "
            "The folding of the source page: a good model with spurious recommendations "
            "(Xin et al. 2017).")


def _gravity(looked: Looked) -> str:
    plain, *with_gravity = looked.results
    return " ".join(claims_lesson.gravity_claim(plain=plain, with_gravity=run,
                                                refs=looked.refs).text for run in with_gravity)


def _leak(looked: Looked) -> str:
    (uniform,) = looked.results
    beyond = claims.beyond_claim(looked.labels[0], uniform.final_metrics, looked.refs)
    return (f"{claims.references_text(looked.refs)} {looked.verdict(0)}"
            + (f" {beyond.text}" if beyond else ""))


def _undone(looked: Looked) -> str:
    switched, unswitched = looked.results
    return (f"{switch_claim(looked.labels[0], switched, looked.refs, unswitched).text} "
            f"{looked.verdict(0)}")


def _dimension(looked: Looked) -> str:
    return (" ".join(looked.verdict(index) for index in range(len(looked.results)))
            + " With w0 = 0 nothing pushes the groups apart: whether they land on each other "
            "is a matter of chance and room.")


EXERCISES = (
    Exercise(
        "Folding, replayed", {"strategy": "positives-only"},
        "Positives only: the loss pushes every positive's score up and nothing down. Before "
        "you press ▶ Play: will the colors end up apart or on top of each other? Will "
        "spurious@10 end nearer 0, or nearer a random ranking's 1 - 1/G?",
        ({"strategy": "positives-only"}, {"strategy": "uniform"}), _folding),
    Exercise(
        "Uniform or hard negatives", {"strategy": "hard"},
        "Uniform and hard negatives both come from every group; hard ones are the items the "
        "model currently scores high. Will hard separate the groups as uniform does? Which of "
        "the two costs more per step?",
        ({"strategy": "uniform"}, {"strategy": "hard"}), _uniform_or_hard),
    Exercise(
        "A good model with spurious recommendations", {"strategy": "in-group"},
        "Negatives drawn from the query's own group only. Will within-group recall be good? "
        "Will spurious@10 be low?",
        ({"strategy": "in-group"}, {"strategy": "full"}), _in_group),
    Exercise(
        "Gravity", {"strategy": "positives-only", "gravity": 1.0},
        "Gravity pulls every score toward zero, with no negatives at all. Will positives-only "
        "still fold with gravity 1? And with gravity 10?",
        ({"strategy": "positives-only"}, {"strategy": "positives-only", "gravity": 1.0},
         {"strategy": "positives-only", "gravity": 10.0}), _gravity),
    Exercise(
        "What the leak does", {"strategy": "uniform", "leak": 0.3},
        "Now 30% of a query's positives come from other groups. Can any model still recommend "
        "almost only the query's own group? Should it?",
        ({"strategy": "uniform", "leak": 0.3},), _leak),
    Exercise(
        "Dimension and chance", {"unobserved_weight": 0.0, "mf_dim": 4},
        "Matrix factorization with the observed pairs only (w0 = 0) has nothing that pushes "
        "groups apart. Does it fold at 4 dimensions? Then set d to 16: and now?",
        ({"strategy": "wals", "unobserved_weight": 0.0, "mf_dim": 4},
         {"strategy": "wals", "unobserved_weight": 0.0, "mf_dim": 16},
         {"strategy": "wals", "unobserved_weight": 0.05, "mf_dim": 4}), _dimension),
    Exercise(
        "Can folding be undone?",
        {"strategy": "positives-only", "switch_at": 7, "switch_to": "uniform"},
        "Positives-only for 7 epochs, then uniform negatives from the same parameters and "
        "optimizer state, on the same data. Press ▶ Play: once folded, will the groups come "
        "apart, or is the folding there to stay?",
        ({"strategy": "positives-only", "switch_at": 7, "switch_to": "uniform"},
         {"strategy": "positives-only"}), _undone),
)
