"""Guided exercises: predict first, then open the view, then read the answer.

Each answer says only what the tests check (tests/test_phenomenon.py,
tests/test_mf.py): the numbers to compare are on the page the exercise opens.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Exercise:
    title: str
    page: str  # the page's URL path ("" for the Lesson)
    settings: dict  # what the exercise's link sets; everything else at its default
    question: str  # to answer before opening the view
    answer: str


EXERCISES = (
    Exercise(
        "Folding, replayed", "train", {"strategy": "positives-only"},
        "Positives only: the loss pushes every positive's score up and nothing down. Before "
        "you press ▶ Play: will the colors end up apart or on top of each other? Will "
        "spurious@10 end nearer 0, or nearer a random ranking's 1 - 1/G?",
        "On top of each other. The easiest way to raise every positive is to point every "
        "query and item the same way and make them long, so the same long items top every "
        "query's list: the marks of \"what it recommends\" become vertical stripes, and "
        "spurious@10 ends at least three times the separated models' (checked on 4 to 8 "
        "groups). Its within-group recall is the lowest of all strategies: it does not even "
        "rank well inside a group."),
    Exercise(
        "Uniform or hard negatives", "train", {"strategy": "hard"},
        "Uniform and hard negatives both come from every group; hard ones are the items the "
        "model currently scores high. Will hard separate the groups as uniform does? Which of "
        "the two costs more per step?",
        "Both separate the groups (cross-group AUC of 0.9 or more on 4 to 8 groups). Hard costs "
        "more: before it draws, it scores a pool of items for every query. Compare the "
        "training times on the Compare page, or the Why sample? page at a million items."),
    Exercise(
        "A good model with spurious recommendations", "train", {"strategy": "in-group"},
        "Negatives drawn from the query's own group only. Will within-group recall be good? "
        "Will spurious@10 be low?",
        "Within-group recall is as good as the full softmax's (within 0.1), yet most of the "
        "top 10 comes from other groups, and the cross-group AUC is even below 0.5: every "
        "own-group item but the query's positives is pushed down for that query, other groups' "
        "items never are. The folding of the source page (Xin et al. 2017)."),
    Exercise(
        "Gravity", "train", {"strategy": "positives-only", "gravity": 1.0},
        "Gravity pulls every score toward zero, with no negatives at all. Will positives-only "
        "still fold with gravity 1? And with gravity 10?",
        "With gravity from 0.01 to 1 the groups come apart: spurious@10 at least halves, as "
        "the tests check. At 10 it pulls so hard the model learns little (its AUC falls "
        "far below the others')."),
    Exercise(
        "What the leak does", "train", {"strategy": "uniform", "leak": 0.3},
        "Now 30% of a query's positives come from other groups. Can any model still recommend "
        "almost only the query's own group?",
        "Not if it follows the data: even a perfect model, ranking by the data's own "
        "preferences, recommends some other groups' items and its cross-group AUC falls (the "
        "reference under the numbers). Read uniform's numbers against the perfect model's, "
        "not against 0 and 1; the page says the lesson is checked up to a leak of 0.05."),
    Exercise(
        "Dimension and chance", "mf", {"unobserved_weight": 0.0, "mf_dim": 4},
        "Matrix factorization with the observed pairs only (w0 = 0) has nothing that pushes "
        "groups apart. Does it fold at 4 dimensions? Then set d to 16: and now?",
        "At 4 dimensions the six groups land on each other by chance: spurious@10 several times "
        "what w0 = 0.05 gives. At 16, the random starting rows usually keep the groups apart "
        "by themselves, and w0 = 0 looks separated: folding is a matter of chance and room, "
        "which is why the source calls it folding 'by chance'."),
)
