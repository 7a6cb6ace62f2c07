"""The Lesson's sentences on what each run learned (recdemo/claims_lesson.py),
on hand-built cases: where two decimals would mislead, what length decides,
gravity's credit."""

from __future__ import annotations

from types import SimpleNamespace

from recdemo import claims_lesson
from recdemo.data import DataConfig, make_dataset
from recdemo.references import References
from recdemo.train import TrainConfig, train
from recdemo.verdicts import RECALL
from tests.claim_cases import REFS, run


def test_the_lowest_recall_is_said_only_past_what_two_decimals_show():
    def runs(**recall):
        return {name: SimpleNamespace(config=SimpleNamespace(k=10),
                                      final_metrics={"within_group_recall_at_k": value})
                for name, value in recall.items()}
    claim = claims_lesson.lowest_recall("positives-only", runs(**{
        "positives-only": 0.30, "in-group": 0.60, "uniform": 0.50}), REFS)
    assert claim.holds and "**0.30**, is the lowest" in claim.text
    # A review's link: 0.37426 against uniform's 0.37481, both shown 0.37.
    claim = claims_lesson.lowest_recall("positives-only", runs(**{
        "positives-only": 0.37426, "in-group": 0.42, "uniform": 0.37481}), REFS)
    assert not claim.holds
    assert "0.37, ties for the lowest of the runs here (in-group 0.42, uniform 0.37)" in claim.text
    # A review's link, /?epochs=2&dim=2: 0.3342 against uniform's 0.3389, which
    # two decimals showed as 0.33 and 0.34, "less than 0.01 apart".
    claim = claims_lesson.lowest_recall("positives-only", runs(**{
        "positives-only": 0.3342, "in-group": 0.45, "uniform": 0.3389}), REFS)
    assert not claim.holds
    assert ("0.334, ties for the lowest of the runs here (in-group 0.450, uniform 0.339)"
            in claim.text)
    # A review's link, /?gravity=1&epochs=2: uniform's recall equal to
    # positives-only's read 0.44 beside its 0.435, beside in-group's 0.430.
    claim = claims_lesson.lowest_recall("positives-only", runs(**{
        "positives-only": 0.435463, "in-group": 0.430, "uniform": 0.435463}), REFS)
    assert ("0.435, ties for the lowest of the runs here (in-group 0.430, uniform 0.435)"
            in claim.text)
    claim = claims_lesson.lowest_recall("positives-only", runs(**{
        "positives-only": 0.5, "in-group": 0.6, "uniform": 0.3}), REFS)
    assert not claim.holds and "is not the lowest" in claim.text
    # A review's link, /?gravity=2.0: 0.51 against uniform's 0.53, on a run
    # that separates, "does not even rank well inside a group".
    claim = claims_lesson.lowest_recall("positives-only", runs(**{
        "positives-only": 0.51, "in-group": 0.59, "uniform": 0.53}), REFS)
    assert not claim.holds and "rank well" not in claim.text
    assert claim.text == ("Its within-group recall@10, 0.51, is the lowest of the runs here "
                          "(in-group 0.59, uniform 0.53), but by no more than 0.1: it ranks inside "
                          "a group nearly as well as they do.")


def test_a_lowest_recall_at_chance_is_not_said_to_rank_nearly_as_well():
    """A review's link, /?seed=512&learning_rate=2&dim=2: "0.22, is the lowest
    of the runs here (in-group 0.26, uniform 0.26), but by no more than 0.1:
    it ranks inside a group nearly as well as they do", every run about a
    random ranking's 0.25."""
    def runs(**recall):
        return {name: SimpleNamespace(config=SimpleNamespace(k=10), final_metrics={RECALL: value})
                for name, value in recall.items()}
    claim = claims_lesson.lowest_recall("positives-only", runs(**{
        "positives-only": 0.22, "in-group": 0.26, "uniform": 0.26}), REFS)
    assert claim.text == ("Its within-group recall@10, 0.22, is the lowest of the runs here "
                          "(in-group 0.26, uniform 0.26), but by no more than 0.1. Every run "
                          "here ranks inside a group only about as well as a random ranking "
                          "(0.25).")
    claim = claims_lesson.lowest_recall("positives-only", runs(**{
        "positives-only": 0.26, "in-group": 0.32, "uniform": 0.34}), REFS)
    assert claim.text.endswith("but by no more than 0.1. It ranks inside a group only about "
                               "as well as a random ranking (0.25)."), claim.text
    claim = claims_lesson.lowest_recall("positives-only", runs(**{
        "positives-only": 0.26, "in-group": 0.265, "uniform": 0.7}), REFS)
    assert claim.text.endswith("less than 0.01 apart. It ranks inside a group only about as "
                               "well as a random ranking (0.25)."), claim.text
    claim = claims_lesson.lowest_recall("positives-only", runs(**{
        "positives-only": 0.30, "in-group": 0.25, "uniform": 0.26}), REFS)
    assert claim.text.endswith("is not the lowest of the runs here (in-group 0.25, uniform "
                               "0.26). Every run here ranks inside a group only about as well "
                               "as a random ranking (0.25)."), claim.text
    claim = claims_lesson.lowest_recall("positives-only", runs(**{
        "positives-only": 0.5, "in-group": 0.55, "uniform": 0.6}), REFS)
    assert claim.text.endswith("it ranks inside a group nearly as well as they do.")


def test_a_recall_below_the_others_is_never_as_good_as_it():
    """A review's link, /?groups=2&leak=0&k=5: in-group's 0.28 was "as good as
    uniform's 0.33"; within GOOD_INSIDE below, it is nearly as good."""
    def run(recall):
        return SimpleNamespace(config=SimpleNamespace(k=5),
                               final_metrics={"within_group_recall_at_k": recall})
    refs = References(oracle=REFS.oracle, random={**REFS.random, RECALL: 0.05}, k=5,
                      items_per_group=40, groups=5)  # every recall below well past chance
    said = {mine: claims_lesson.good_inside("in-group", run(mine), "uniform", run(0.33), refs)
            for mine in (0.28, 0.324, 0.40, 0.50, 0.20)}
    assert said[0.28].holds and "**0.28**, nearly as good as uniform's 0.33" in said[0.28].text
    assert "**0.324**, as good as uniform's 0.330" in said[0.324].text
    assert "**0.40**, better than uniform's 0.33" in said[0.40].text, "0.07 higher"
    assert "**0.50**, better than uniform's 0.33" in said[0.50].text
    assert not said[0.20].holds and "is below uniform's 0.33" in said[0.20].text


def test_a_recall_at_chance_is_not_good_inside_a_group_whatever_the_others():
    """A review's link, /?learning_rate=0.0001: in-group's 0.28 "better than
    uniform's 0.25", both about a random ranking's 0.25, under a verdict that
    says in-group ranks no better than chance inside a group."""
    def run(recall):
        return SimpleNamespace(config=SimpleNamespace(k=10), final_metrics={RECALL: recall})
    claim = claims_lesson.good_inside("in-group", run(0.28), "uniform", run(0.25), REFS)
    assert not claim.holds and claim.text == (
        "Its within-group recall@10, 0.28, is about a random ranking's 0.25 here: it does not "
        "rank well inside a group (uniform's 0.25).")
    assert claims_lesson.good_inside("in-group", run(0.40), "uniform", run(0.25), REFS).holds


def test_queries_share_of_their_top_k_at_most_every_item():
    """A review's link, /?groups=2&items_per_group=10&k=25: two queries "share
    100% of their top 25" of the 20 items there are."""
    data = make_dataset(DataConfig(groups=2, items_per_group=10))
    folded, separated = (train(data, TrainConfig(strategy=strategy, epochs=2, k=25))
                         for strategy in ("positives-only", "uniform"))
    said = " ".join(claim.text for claim in claims_lesson.folded_geometry(
        folded=folded, separated=separated, test_groups=data.test.groups))
    assert "of their top 20 (uniform" in said and "top 25" not in said, said


def geometry(monkeypatch, learned: dict) -> list:
    """folded_geometry's claims for positives-only ("po") beside uniform ("u"),
    each given as its (mean cosine, length-score correlation, shared top k)."""
    monkeypatch.setattr(claims_lesson, "mean_cosine", lambda V: learned[V][0])
    monkeypatch.setattr(claims_lesson, "length_score_correlation", lambda Q, V: learned[V][1])
    monkeypatch.setattr(claims_lesson, "cross_group_overlap", lambda top, groups: learned[top][2])

    def result(name, strategy):
        return SimpleNamespace(config=SimpleNamespace(strategy=strategy, k=10),
                               query_embeddings=name, item_embeddings=name,
                               top_k_snapshots=[name])

    return claims_lesson.folded_geometry(folded=result("po", "positives-only"),
                                  separated=result("u", "uniform"), test_groups=None)


def test_a_trait_uniform_nearly_shares_is_not_said_to_decide(monkeypatch):
    """A review's link, /?gravity=2.0: "an item's length does not decide its
    score here (correlation 0.79; uniform's 0.67)", where /?gravity=1.0 said
    0.72 "decides". Above the bar but not 0.2 above uniform's, it goes with
    the score, but not much more than for uniform."""
    learned = {"po": (0.6, 0.79, 0.5), "u": (0.5, 0.85, 0.1)}  # cosine, length, shared
    cosine, length, shared = geometry(monkeypatch, learned)
    assert not cosine.holds and cosine.text == (
        "its item embeddings share a direction, but not much more than uniform's: a mean "
        "cosine of 0.60 with each other (uniform's: 0.50)")
    assert not length.holds and length.text == (
        "an item's length goes with its score, but no more than for uniform (correlation of "
        "length and mean score 0.79; uniform's 0.85)")
    assert shared.holds and not shared.text.startswith("so ")


def test_length_is_not_said_to_decide_each_querys_score_where_queries_keep_their_own(
        monkeypatch):
    """A review's link, /?groups=2&dim=2&hidden=4: "an item's length decides
    its score for every query (correlation 0.79 ...); two queries of different
    groups share 0% of their top 10". The correlation is with the mean score."""
    learned = {"po": (0.6, 0.79, 0.0), "u": (0.1, -0.74, 0.0)}  # cosine, length, shared
    _, length, shared = geometry(monkeypatch, learned)
    assert not length.holds and "decides" not in length.text
    assert length.text == ("an item's length goes with its mean score over the queries "
                           "(correlation 0.79; uniform's -0.74), but does not decide each "
                           "query's top items")
    assert not shared.holds and shared.text.startswith("two queries of different groups share 0%")


def test_length_is_not_said_not_to_decide_where_queries_share_their_top_items(monkeypatch):
    """A review's link, /?seed=512&learning_rate=2&dim=2: "... but does not
    decide each query's top items; two queries of different groups share 98%
    of their top 10 (uniform: 96%)", where 99% of each query's top 10 were the
    10 longest items. High as uniform's, the overlap says nothing either way."""
    learned = {"po": (0.7, 0.96, 0.98), "u": (0.2, -0.49, 0.96)}  # cosine, length, shared
    _, length, shared = geometry(monkeypatch, learned)
    assert not length.holds and length.text == (
        "an item's length goes with its mean score over the queries (correlation 0.96; "
        "uniform's -0.49)")
    assert not shared.holds and shared.text.startswith(
        "two queries of different groups share 98% of their top")


def test_in_group_at_an_auc_that_reads_050_but_is_below_says_about():
    """A review's link, /?gravity=1&epochs=2: "Its cross-group AUC is 0.50
    here, not below 0.5" of 0.4957."""
    claim = claims_lesson.auc_below_half("in-group", run("in-group", 0.8, 0.4957))
    assert not claim.holds
    assert claim.text == "Its cross-group AUC is 0.496 here: about 0.5, not clearly below it."


def test_gravity_halving_is_shown_as_the_rule_reads_it():
    """A review's link, /train?seed=321&strategy=positives-only&gravity=10:
    "spurious@10 went from 0.82 ... to 0.41: not halved", of 0.8200000000000001
    and 0.41222."""
    def claim(before, after):
        return claims_lesson.gravity_claim(plain=run("positives-only", before, 0.5),
                                           with_gravity=run("positives-only", after, 0.5,
                                                            gravity=10.0), refs=REFS).text
    assert "went from 0.820 (no gravity, same data and seed) to 0.412: not halved" in claim(
        0.8200000000000001, 0.41222)
    assert "from **0.82** (no gravity, same data and seed) to **0.41**: at least halved" in claim(
        0.82, 0.41)  # 0.41 <= 0.5 * 0.82 rounded, whatever the floats say
    assert "from 0.82 (no gravity, same data and seed) to 0.50: not halved" in claim(0.82, 0.5)


def test_gravity_is_not_credited_where_positives_only_did_not_fold():
    """A review's link, /train?groups=2&dim=2&hidden=4&strategy=positives-only&
    gravity=1: "went from 0.00 ... to 0.00: at least halved"."""
    claim = claims_lesson.gravity_claim(plain=run("positives-only", 0.0, 0.9),
                                 with_gravity=run("positives-only", 0.0, 0.9, gravity=1.0),
                                 refs=REFS)
    assert not claim.holds and "halved" not in claim.text
    assert claim.text == ("With gravity 1, spurious@10 went from 0.00 (no gravity, same data "
                          "and seed) to 0.00, but positives-only separates the groups here even "
                          "without gravity: there was no folding for gravity to undo. With it, "
                          "the run separates the groups.")


def test_in_group_at_an_auc_that_shows_as_050_is_not_said_to_be_below_half():
    # A collapsed model: every query the same ranking, AUC 0.4999965.
    assert not claims_lesson.auc_below_half("in-group", run("in-group", 0.75, 0.4999965)).holds
    assert claims_lesson.auc_below_half("in-group", run("in-group", 0.6, 0.494)).holds
