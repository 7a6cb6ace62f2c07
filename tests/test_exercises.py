"""The exercises' answers (recdemo/exercises.py), on hand-built runs."""

from types import SimpleNamespace

from recdemo.exercises import EXERCISES

(UNIFORM_OR_HARD,) = [e for e in EXERCISES if e.title == "Uniform or hard negatives"]


def test_the_hard_negatives_answer_gives_both_times_alike_and_per_step():
    """A review's /exercises?exercise=2: "hard took 0.18 CPU seconds, uniform
    0.124" (two digits beside three), answering "which costs more per step?"
    with whole runs and not saying that they take as many steps."""
    looked = SimpleNamespace(results=[SimpleNamespace(cpu_seconds=0.124),
                                      SimpleNamespace(cpu_seconds=0.18)],
                             verdict=lambda index: "")
    said = UNIFORM_OR_HARD.answer(looked)
    assert "Training hard took 0.180 CPU seconds, uniform 0.124: hard cost about 1.5 times" \
        in said
    assert "Both runs take the same number of gradient steps, so their times compare per " \
        "step too." in said


def test_the_hard_negatives_runs_differ_in_strategy_alone():
    """What makes "the same number of gradient steps" true: the same data,
    epochs and batch size, every setting but the strategy at its default."""
    assert [set(run) for run in UNIFORM_OR_HARD.runs] == [{"strategy"}, {"strategy"}]
