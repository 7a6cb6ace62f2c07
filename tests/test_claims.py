"""Every sentence the pages say about an outcome agrees with its numbers.

The claims (recdemo/claims.py) are computed, on real runs, at the settings
where a review found the pages' old fixed sentences false, and at the
defaults, with 4, 6 and 8 groups and 10 seeds each; then every claim is
checked against the rule recomputed here, independently, from the same
numbers: no sentence is shown where its numbers contradict it. Hand-built
cases below check the sentences' wording where the runs decide nothing.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from recdemo import claims, claims_lesson, wording
from recdemo.data import DataConfig, make_dataset
from recdemo.mf import MFConfig
from recdemo.mf_comparison import pair, scored_caption, two_stage_claim, two_stage_rows
from recdemo.references import References, references
from recdemo.step_cost import StepCost
from recdemo.train import TrainConfig, train
from recdemo.verdicts import expected
from tests import lesson_runs

SETTINGS = {
    "defaults": (),
    "10 items, fewest queries": (("items_per_group", 10), ("queries_per_group", 10)),
    "40 items, fewest queries": (("queries_per_group", 10),),
    "25 items, 120 queries": (("items_per_group", 25), ("queries_per_group", 120)),
    "learning rate 0.01": (("learning_rate", 0.01),),
    "l2 0.1": (("l2", 0.1),),
    "temperature 0.05": (("temperature", 0.05),),
    "1 positive": (("positives", 1),),
    "k 50": (("k", 50),),
    "leak 0": (("leak", 0.0),),
}
CASES = [(settings, groups, seed, settings == ()) for settings in SETTINGS.values()
         for groups in (4, 6, 8) for seed in range(100, 110)]
lesson_runs.register(CASES)


def rule(metrics: dict, refs: References) -> str:
    """The verdict, written out again from recdemo/verdicts.py's docstring."""
    own, chance = refs.oracle["spurious_at_k"], refs.random["spurious_at_k"]
    own_auc = refs.oracle["cross_group_auc"]
    if chance - own < 0.05 or own_auc - 0.5 < 0.05:
        return "neither"
    excess = (metrics["spurious_at_k"] - own) / (chance - own)
    kept = (metrics["cross_group_auc"] - 0.5) / (own_auc - 0.5)
    if excess >= 0.5 and kept <= 0.5:
        return "folds"
    if excess <= 0.25 and kept >= 0.75:
        return "separates"
    return "neither"


def at_chance(metrics: dict, refs: References) -> bool:
    """No better than a random ranking on every number, written out again
    from recdemo/verdicts.py: within a tenth of the way from it on each."""
    recall = "within_group_recall_at_k"
    own, chance = refs.oracle["spurious_at_k"], refs.random["spurious_at_k"]
    own_auc, own_recall = refs.oracle["cross_group_auc"], refs.oracle.get(recall, 0.0)
    random_recall = refs.random.get(recall, 0.0)
    if chance - own < 0.05 or own_auc - 0.5 < 0.05 or own_recall - random_recall < 0.05:
        return False
    return ((metrics["spurious_at_k"] - own) / (chance - own) >= 0.9
            and (metrics["cross_group_auc"] - 0.5) / (own_auc - 0.5) <= 0.1
            and (metrics[recall] - random_recall) / (own_recall - random_recall) <= 0.1)


WORDS = {"folds": "folds", "separates": "separates the groups", "neither": "neither folds nor"}
SHOWN = {"folds": "it folds", "separates": "it separates the groups", "neither": "in between"}


@pytest.fixture(scope="module")
def outs():
    return list(lesson_runs.outputs(CASES).values())


@pytest.mark.slow
def test_every_verdict_sentence_is_the_rule_on_its_numbers(outs):
    checked = 0
    for out in outs:
        refs = out["refs"]
        for label, claim in out["verdict_claims"].items():
            metrics, config = out["metrics"][label], out["configs"][label]
            found, wanted = rule(metrics, refs), expected(config)
            name = claims.named(label)
            if claims.no_room(refs):  # no verdict, whatever the lesson expects
                assert claim.holds == (wanted is None), claim.text
                assert claim.text.startswith(f"**{name}: no verdict on this data**"), claim.text
                assert claim.text.endswith(claims.no_room(refs)), claim.text
            elif wanted is None or found == wanted:
                assert claim.holds, claim.text
                assert WORDS[found] in claim.text, claim.text
            else:
                assert not claim.holds, claim.text
                assert claim.text.startswith(f"**Here {name} does not"), claim.text
                assert SHOWN[found] in claim.text, claim.text
            for value in (metrics["spurious_at_k"], metrics["cross_group_auc"],
                          refs.oracle["spurious_at_k"], refs.oracle["cross_group_auc"]):
                # Three decimals where two would read as another verdict (claims.numbers).
                assert wording.fmt(value) in claim.text or f"{value:.3f}" in claim.text
            said_at_chance = "no better than a random ranking on any number" in claim.text
            assert said_at_chance == (at_chance(metrics, refs) and not claims.no_room(refs))
            checked += 1
    assert checked >= 6 * len(CASES)


@pytest.mark.slow
def test_a_run_is_said_to_go_past_the_data_exactly_when_its_numbers_do(outs):
    for out in outs:
        oracle = out["refs"].oracle
        for label, claim in out["beyond_claims"].items():
            metrics = out["metrics"][label]
            past = (metrics["spurious_at_k"] < oracle["spurious_at_k"] - 0.02
                    or metrics["cross_group_auc"] > oracle["cross_group_auc"] + 0.02)
            assert (claim is not None) == past, label


@pytest.mark.slow
def test_the_lessons_sentences_about_positives_only_and_in_group(outs):
    for out in (out for out in outs if "geometry" in out):
        (cos, length, shared), (cos_u, length_u, shared_u) = (
            out["geometry"]["positives-only"], out["geometry"]["uniform"])
        shared_holds = shared > 0.2 and shared > shared_u + 0.2
        expected_holds = (cos > 0.3 and cos > cos_u + 0.2,
                          length > 0.5 and length > length_u + 0.2 and shared_holds,
                          shared_holds)
        assert tuple(c.holds for c in out["geometry_claims"]) == expected_holds
        # "so" only after a length that decides the score (a review's link said
        # "does not decide its score here ...; so queries ... get the same items").
        third = out["geometry_claims"][2]
        assert third.text.startswith("so ") == (expected_holds[1] and expected_holds[2])
        recall = {s: out["metrics"][s]["within_group_recall_at_k"]
                  for s in ("positives-only", "in-group", "uniform")}
        others = min(recall["in-group"], recall["uniform"])
        assert out["lowest_recall"].holds == (recall["positives-only"] < others - 0.1)
        assert out["good_inside"].holds == (recall["in-group"] >= recall["uniform"] - 0.1)
        auc = out["metrics"]["in-group"]["cross_group_auc"]
        assert out["auc_below_half"].holds == (round(auc, 2) < 0.5)
        assert (wording.fmt(auc) in out["auc_below_half"].text
                or f"{auc:.3f} here: about 0.5" in out["auc_below_half"].text)


@pytest.mark.slow
def test_what_gravity_did_is_said_from_the_two_runs(outs):
    for out in (out for out in outs if "gravity_claims" in out):
        before = out["metrics"]["positives-only"]["spurious_at_k"]
        plain_separates = rule(out["metrics"]["positives-only"], out["refs"]) == "separates"
        for label, claim in out["gravity_claims"].items():
            after = out["metrics"][label]["spurious_at_k"]
            assert claim.holds == (after <= before / 2 and not plain_separates)
            assert WORDS[rule(out["metrics"][label], out["refs"])] in claim.text


# Hand-built cases --------------------------------------------------------------

REFS = References(oracle={"spurious_at_k": 0.0, "within_group_recall_at_k": 0.8,
                          "cross_group_auc": 0.9},
                  random={"spurious_at_k": 0.8, "within_group_recall_at_k": 0.25,
                          "cross_group_auc": 0.5}, k=10, items_per_group=40, groups=5)


def run(strategy, spurious, auc, recall=0.5, gravity=0.0):
    config = SimpleNamespace(strategy=strategy, gravity=gravity, k=10)
    metrics = {"spurious_at_k": spurious, "cross_group_auc": auc,
               "within_group_recall_at_k": recall}
    return SimpleNamespace(config=config, final_metrics=metrics)


def test_the_lowest_recall_is_said_only_past_what_two_decimals_show():
    def runs(**recall):
        return {name: SimpleNamespace(config=SimpleNamespace(k=10),
                                      final_metrics={"within_group_recall_at_k": value})
                for name, value in recall.items()}
    claim = claims_lesson.lowest_recall("positives-only", runs(**{
        "positives-only": 0.30, "in-group": 0.60, "uniform": 0.50}))
    assert claim.holds and "**0.30**, is the lowest" in claim.text
    # A review's link: 0.37426 against uniform's 0.37481, both shown 0.37.
    claim = claims_lesson.lowest_recall("positives-only", runs(**{
        "positives-only": 0.37426, "in-group": 0.42, "uniform": 0.37481}))
    assert not claim.holds
    assert "0.37, ties for the lowest of the runs here (in-group 0.42, uniform 0.37)" in claim.text
    # A review's link, /?epochs=2&dim=2: 0.3342 against uniform's 0.3389, which
    # two decimals showed as 0.33 and 0.34, "less than 0.01 apart".
    claim = claims_lesson.lowest_recall("positives-only", runs(**{
        "positives-only": 0.3342, "in-group": 0.45, "uniform": 0.3389}))
    assert not claim.holds
    assert ("0.334, ties for the lowest of the runs here (in-group 0.450, uniform 0.339)"
            in claim.text)
    # A review's link, /?gravity=1&epochs=2: uniform's recall equal to
    # positives-only's read 0.44 beside its 0.435, beside in-group's 0.430.
    claim = claims_lesson.lowest_recall("positives-only", runs(**{
        "positives-only": 0.435463, "in-group": 0.430, "uniform": 0.435463}))
    assert ("0.435, ties for the lowest of the runs here (in-group 0.430, uniform 0.435)"
            in claim.text)
    claim = claims_lesson.lowest_recall("positives-only", runs(**{
        "positives-only": 0.5, "in-group": 0.6, "uniform": 0.3}))
    assert not claim.holds and "is not the lowest" in claim.text
    # A review's link, /?gravity=2.0: 0.51 against uniform's 0.53, on a run
    # that separates, "does not even rank well inside a group".
    claim = claims_lesson.lowest_recall("positives-only", runs(**{
        "positives-only": 0.51, "in-group": 0.59, "uniform": 0.53}))
    assert not claim.holds and "rank well" not in claim.text
    assert claim.text == ("Its within-group recall@10, 0.51, is the lowest of the runs here "
                          "(in-group 0.59, uniform 0.53), but by less than 0.1: it ranks inside "
                          "a group nearly as well as they do.")


def test_a_recall_below_the_others_is_never_as_good_as_it():
    """A review's link, /?groups=2&leak=0&k=5: in-group's 0.28 was "as good as
    uniform's 0.33"; within GOOD_INSIDE below, it is nearly as good."""
    def run(recall):
        return SimpleNamespace(config=SimpleNamespace(k=5),
                               final_metrics={"within_group_recall_at_k": recall})
    said = {mine: claims_lesson.good_inside("in-group", run(mine), "uniform", run(0.33))
            for mine in (0.28, 0.324, 0.40, 0.50, 0.20)}
    assert said[0.28].holds and "**0.28**, nearly as good as uniform's 0.33" in said[0.28].text
    assert "**0.324**, as good as uniform's 0.330" in said[0.324].text
    assert "**0.40**, better than uniform's 0.33" in said[0.40].text, "0.07 higher"
    assert "**0.50**, better than uniform's 0.33" in said[0.50].text
    assert not said[0.20].holds and "is below uniform's 0.33" in said[0.20].text


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


def test_in_group_at_an_auc_that_reads_050_but_is_below_says_about():
    """A review's link, /?gravity=1&epochs=2: "Its cross-group AUC is 0.50
    here, not below 0.5" of 0.4957."""
    claim = claims_lesson.auc_below_half("in-group", run("in-group", 0.8, 0.4957))
    assert not claim.holds
    assert claim.text == "Its cross-group AUC is 0.496 here: about 0.5, not clearly below it."


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


def test_the_two_stage_verdict_beside_numbers_that_read_as_another_gets_three_decimals():
    """A review's link, /mf?groups=3&seed=1&unobserved_weight=0.01&mf_dim=2:
    "separates" beside spurious@10 0.17 of a random ranking's 0.67 (0.254 of the
    way; exactly 0.1656 of 0.6667, 0.248)."""
    refs = References(oracle={"spurious_at_k": 0.0, "cross_group_auc": 0.9},
                      random={"spurious_at_k": 2 / 3, "cross_group_auc": 0.5}, k=10,
                      items_per_group=40, groups=3)
    claim = two_stage_claim(pipeline(0.1656, 0.80, 0.04), TWO_STAGE_SCORED, refs)
    assert claim.holds
    assert ("spurious@10 0.166 against uniform's 0.080 and in-group alone's 0.940, a run that "
            "folds, the data's own 0.000 and a random ranking's 0.667; cross-group AUC 0.800 "
            "against the data's own 0.900") in claim.text
    plain = two_stage_claim(pipeline(0.05, 0.88, 0.04), TWO_STAGE_SCORED, refs)
    assert "spurious@10 0.05 against uniform's 0.08" in plain.text
    assert "the data's own 0.0" not in plain.text


def test_times_in_three_significant_digits_never_in_exponent_form():
    assert [wording.significant(v) for v in (5.0612, 0.012345, 378.8, 1920.4)] == [
        "5.06", "0.0123", "379", "1,920"]
    # A review's /exercises?exercise=2: "0.18 CPU seconds, uniform 0.124", and the
    # cost command's tiny amounts: the zero that is a digit kept, no "1.23e-05".
    assert [wording.significant(v) for v in (0.18, 9.996, 1.234e-5, 0.0)] == [
        "0.180", "10.0", "0.0000123", "0"]


def test_counts_and_shares_as_written():
    assert [wording.quantity(n, "epoch") for n in (0, 1, 7)] == ["0 epochs", "1 epoch", "7 epochs"]
    # One decimal: never 0.0% or 100.0% for a share that is neither.
    assert wording.percent(0.000292, decimals=1) == "under 0.1%"
    assert wording.percent(1 - 0.000292, decimals=1) == "over 99.9%"
    assert wording.percent(0.0004, short=True, decimals=1) == "<0.1%"
    assert wording.percent(0.0513, decimals=1) == "5.1%"
    assert wording.percent(0.0, decimals=1) == "0.0%" and wording.percent(1.0) == "100%"


def test_a_share_and_the_rest_add_up_to_100_percent():
    # A review's link (/groups?seed=7): 94.8% and 5.1% of a measured 0.0515.
    assert wording.rest_and_share(0.0515, decimals=1) == ("94.9%", "5.1%")
    assert wording.rest_and_share(0.0485, decimals=1) == ("95.2%", "4.8%")
    assert wording.rest_and_share(0.25) == ("75%", "25%")
    assert wording.rest_and_share(0.000292, decimals=1) == ("over 99.9%", "under 0.1%")
    assert wording.rest_and_share(0.0, decimals=1) == ("100.0%", "0.0%")
    for share in np.linspace(0.0006, 0.9994, 997):
        rest, part = (float(text.rstrip("%")) for text in wording.rest_and_share(share, 1))
        assert abs(rest + part - 100) < 1e-9 and abs(part - 100 * share) <= 0.05 + 1e-9


def test_a_metric_short_of_perfect_is_never_shown_as_perfect():
    """A review: an AUC of 0.9967 read "1.00" beside the oracle's 1.00."""
    assert wording.fmt(0.9967) == "0.997" and wording.fmt(0.0033) == "0.003"
    assert wording.fmt(0.99961) == "over 0.999" and wording.fmt(0.00031) == "under 0.001"
    assert (wording.fmt(0.99961, short=True), wording.fmt(0.0003, short=True)) == (">0.999",
                                                                              "<0.001")
    assert [wording.fmt(v) for v in (1.0, 0.0, 0.5, 0.994, 0.0051, -0.0004, -0.25)] == [
        "1.00", "0.00", "0.50", "0.99", "0.01", "0.00", "-0.25"]
    for value in np.linspace(0.0001, 0.9999, 9999):  # a share strictly between 0 and 1
        assert wording.fmt(value) not in ("0.00", "1.00", "0.000", "1.000"), value
    # A correlation short of -1 (a review's link, /train?strategy=uniform&negatives=50&groups=2
    # &items_per_group=10: "correlation -1.00" for -0.998).
    assert [wording.fmt(v) for v in (-0.998, -0.9996, -1.0, -0.994)] == [
        "-0.998", "under -0.999", "-1.00", "-0.99"]


def test_what_the_mf_page_scores_each_model_on():
    assert scored_caption(0, 1, "average") == (
        "Every model is scored on the same held-out positive: each test query's only one "
        "(it brings none to MF's fold-in).")
    assert "1 of each test query's 2 positives is what it brings to MF's fold-in, the other " \
        "one is scored." in scored_caption(1, 2, "fold-in")
    assert "2 of each test query's 5 positives are what it would bring to MF's fold-in (here " \
        "MF embeds it by the average instead), the other 3 are scored." in \
        scored_caption(2, 5, "average")


def data(items_per_group=40, groups=6, positives=5):
    return DataConfig(items_per_group=items_per_group, groups=groups, positives=positives)


def test_the_mf_tables_leave_out_within_group_recall_where_k_covers_a_group():
    metrics = {"spurious_at_k": 0.123, "within_group_recall_at_k": 1.0}
    assert pair(metrics, 10, data()) == "spurious@10 0.12, within-group recall@10 1.00"
    assert pair(metrics, 10, data(10)) == "spurious@10 0.12"
    assert pair(metrics, 5, data(10, positives=10)) == "spurious@5 0.12"


def test_a_run_that_does_what_the_lesson_says():
    claim = claims.verdict_claim("uniform", run("uniform", 0.05, 0.95), REFS, {})
    assert claim.holds
    assert claim.text.startswith("**uniform** separates the groups, as the lesson says")


def test_a_run_at_chance_on_every_number_is_said_to_be(monkeypatch):
    """A review's links (/train?l2=1.0, /compare?learning_rate=0.5): runs at
    chance on every number "fold", with no word that they learned nothing."""
    monkeypatch.setattr(claims.where_it_holds, "reasons", lambda *args: [])
    uniform = claims.verdict_claim("uniform", run("uniform", 0.79, 0.52, recall=0.27), REFS, {})
    assert not uniform.holds and uniform.text.startswith("**Here uniform does not separate")
    assert ("AUC 0.52 against the data's own 0.90; no better than a random ranking on any "
            "number (within-group recall@10 0.27 against its 0.25): it ranks no better than "
            "chance, inside a group or across.") in uniform.text
    # Folded, but ranking inside each group: the lesson's folding, not chance.
    folded = claims.verdict_claim("positives-only", run("positives-only", 0.79, 0.52,
                                                        recall=0.40), REFS, {})
    assert folded.holds and folded.text.startswith("**positives-only** folds, as the lesson says")
    assert "random ranking on any number" not in folded.text


def test_a_run_that_drew_no_negatives_is_not_the_lessons_reason():
    """A review's link, /?positives=10&items_per_group=10&leak=0.0: "in-group
    folds, as the lesson says", where every own-group item was a positive and
    in-group drew no negatives: it trained as positives-only does."""
    result = run("in-group", 0.7, 0.5)
    result.negatives_seen = np.zeros((2, 5, 10))
    claim = claims.verdict_claim("in-group", result, REFS, {})
    assert not claim.holds and "as the lesson says" not in claim.text
    assert claim.text.startswith("**in-group** folds: spurious@10 0.70")
    assert claim.text.endswith("It drew no negatives here: every item in-group could draw for "
                               "a query was one of its positives, so it trained as "
                               "positives-only does.")
    result.negatives_seen[0, 1, 2] = 1
    assert claims.verdict_claim("in-group", result, REFS, {}).holds


def test_a_verdict_a_student_would_read_otherwise_on_two_decimals_gets_three():
    """A review's link, /train?strategy=positives-only&gravity=0.5&leak=0.5:
    "separates", beside 0.42, 0.28 and 0.83, which put the run 0.255 of the
    way to chance, past the rule's 0.25; exactly, it is 0.248."""
    refs = References(oracle={"spurious_at_k": 0.2849, "cross_group_auc": 0.95},
                      random={"spurious_at_k": 0.8301, "cross_group_auc": 0.5}, k=10,
                      items_per_group=40, groups=6)
    metrics = {"spurious_at_k": 0.42, "cross_group_auc": 0.95}
    assert claims.numbers(metrics, refs) == (
        "spurious@10 0.420 against the data's own 0.285 and a random ranking's 0.830; "
        "cross-group AUC 0.950 against the data's own 0.950")
    clear = {"spurious_at_k": 0.30, "cross_group_auc": 0.95}
    assert claims.numbers(clear, refs).startswith("spurious@10 0.30 against the data's own 0.28")


def test_a_run_that_does_not_says_what_it_did_instead_and_why(monkeypatch):
    monkeypatch.setattr(claims.where_it_holds, "reasons",
                        lambda strategy, wanted, settings: [f"(why {strategy} {wanted})"])
    claim = claims.verdict_claim("positives-only", run("positives-only", 0.3, 0.8), REFS, {})
    assert not claim.holds
    assert claim.text.startswith("**Here positives-only does not fold**: it is in between")
    assert claim.text.endswith("(why positives-only folds)")


def test_metrics_that_mean_little_at_this_cut_off_are_named():
    assert claims.metric_caveats(10, data()) == []
    assert claims.recall_is_meaningful(10, data())
    (recall,) = claims.metric_caveats(10, data(10))
    assert "Within-group recall@10 is left out" in recall
    recall, spurious = claims.metric_caveats(50, data())
    assert "at least 10 of any top 50 are from other groups" in spurious
    # k at least all 20 items: every ranking recommends all of them, half from
    # the other group (the caveat said "at least 67%" of a top 30 it never has).
    recall, spurious = claims.metric_caveats(30, data(10, groups=2))
    assert "every ranking recommends every item: spurious@30 is 0.50" in spurious
    # A review's link: 10 positives of 10 items a group, k 5. Every ranking,
    # the oracle's and a random one's too, scored exactly 0.50.
    (recall,) = claims.metric_caveats(5, data(10, positives=10))
    assert recall.startswith("Within-group recall@5 is left out: with 10 positives a query and "
                             "10 items a group")
    assert not claims.recall_is_meaningful(5, data(10, positives=10))
    assert claims.recall_is_meaningful(5, data(10, positives=9))


def test_within_group_recall_with_a_group_of_positives_is_the_same_for_any_ranking():
    """What the caveat says, measured: with no leak and every item of a group a
    positive of each of its queries, within-group recall@5 is 5/10 for the
    oracle, a random ranking and a trained run alike."""
    dataset = make_dataset(DataConfig(groups=3, items_per_group=10, positives=10, leak=0.0,
                                      queries_per_group=20, test_queries_per_group=10))
    refs = references(dataset, 5)
    run = train(dataset, TrainConfig(epochs=2, k=5))
    for metrics in (refs.oracle, refs.random, run.final_metrics):
        assert metrics["within_group_recall_at_k"] == pytest.approx(0.5)
    assert refs.positives == 10


def test_a_run_the_lesson_expects_nothing_of_gets_no_verdict_where_none_is_possible():
    """A review's link (/mf?groups=2&items_per_group=10&k=50): "wals neither
    folds nor separates" beside "no run can fold or separate"."""
    no_room = References(oracle={"spurious_at_k": 0.5, "cross_group_auc": 0.9},
                         random={"spurious_at_k": 0.5, "cross_group_auc": 0.5}, k=50,
                         items_per_group=10, groups=2)
    wals = SimpleNamespace(config=MFConfig(),
                           final_metrics={"spurious_at_k": 0.5, "cross_group_auc": 0.7})
    assert expected(wals.config) is None
    claim = claims.verdict_claim("wals", wals, no_room, {})
    assert claim.holds and claim.text.startswith("**wals: no verdict on this data**")
    assert "neither" not in claim.text and claim.text.endswith(claims.no_room(no_room))


def test_with_k_at_least_every_item_the_verdict_says_no_run_can_fold_or_separate():
    data = make_dataset(DataConfig(groups=2, items_per_group=10, queries_per_group=20,
                                   test_queries_per_group=10, seed=11))
    refs = references(data, 30)
    result = train(data, TrainConfig(strategy="uniform", epochs=3, k=30, seed=11))
    assert result.final_metrics["spurious_at_k"] == refs.oracle["spurious_at_k"] == 0.5
    claim = claims.verdict_claim("uniform", result, refs, {})
    assert not claim.holds
    assert claim.text.endswith("On this data no run can fold or separate: the data's own "
                               "spurious@30, 0.50, is as high as a random ranking's, 0.50.")
    assert "exception" not in claim.text
    # Not "in between" (a review's link: in-group's AUC 0.34 there is below any fold).
    assert claim.text.startswith("**uniform: no verdict on this data**: spurious@30 0.50")


def test_a_share_is_never_rounded_to_none_or_all():
    assert [wording.percent(x) for x in (0.0, 0.0006, 0.004, 0.006, 0.5, 0.996, 1.0)] == [
        "0%", "under 1%", "under 1%", "1%", "50%", "over 99%", "100%"]
    assert [wording.percent(x, short=True) for x in (0.0, 0.003, 0.997, 1.0)] == [
        "0%", "<1%", ">99%", "100%"]



# k 50 of 20 items: every ranking recommends every item, half of them from the other group.
NO_ROOM = References(oracle={"spurious_at_k": 0.5, "cross_group_auc": 0.93},
                     random={"spurious_at_k": 0.5, "cross_group_auc": 0.5}, k=50,
                     items_per_group=10, groups=2)


def test_gravity_is_not_said_to_fail_where_no_run_can_fold_or_separate():
    """A review's link, /train?strategy=positives-only&gravity=1.0&k=50&
    items_per_group=10&groups=2: "not halved" of a spurious@50 that is 0.50
    for any model."""
    claim = claims_lesson.gravity_claim(plain=run("positives-only", 0.5, 0.7),
                                 with_gravity=run("positives-only", 0.5, 0.8, gravity=1.0),
                                 refs=NO_ROOM)
    assert not claim.holds and "halved" not in claim.text
    assert claim.text == ("With gravity 1, spurious@50 went from 0.50 (no gravity, same data "
                          "and seed) to 0.50. " + claims.no_room(NO_ROOM))


def test_the_oracles_recall_is_named_only_where_the_page_gives_it():
    """A review's link, /?k=50: "No model can beat the oracle's within-group
    recall" where no within-group recall is given."""
    assert "No model can beat the oracle's within-group recall" in claims.references_text(REFS)
    text = claims.references_text(NO_ROOM)
    assert "within-group recall" not in text
    assert text.endswith("0.50 and 0.50. On spurious@k and AUC the oracle is the data's own "
                         "share, and a model can go past it.")


def test_a_table_column_never_shows_a_share_as_none_or_all():
    """A review's link, /compare?seed=11: the oracle's spurious@10 of 0.000556
    was "0.00" in the table, "under 1% (0.001)" in the sentence below it."""
    assert wording.table_format([0.83, 0.12, 0.0, 1.0, None, float("nan")]) == "%.2f"
    assert wording.table_format([0.83, 0.004]) == "%.3f"
    assert wording.table_format([0.83, 0.000556]) == "%.3f"  # 0.001
    assert wording.table_format([0.83, 0.0004]) == "%.4f"
    assert wording.table_format([0.9967, 0.5]) == "%.3f"
    assert wording.table_format([0.99996]) == "%.4f"  # as far as a cell goes


TWO_STAGE_SCORED = {"uniform": {"spurious_at_k": 0.08, "cross_group_auc": 0.95},
                    "in-group": {"spurious_at_k": 0.94, "cross_group_auc": 0.3}}


def pipeline(spurious, auc, retrieved_spurious):
    """A two-stage result: MF retrieves 30 a query, of which ``retrieved_spurious``
    from other groups; the in-group scorer's metrics on them."""
    return SimpleNamespace(metrics={"spurious_at_k": spurious, "cross_group_auc": auc},
                           retrieved=np.zeros((5, 30), dtype=int),
                           retrieved_spurious=retrieved_spurious)


def test_the_two_stage_sentence_gives_the_reason_its_numbers_give():
    """/mf?items_per_group=60: a clean top k (spurious@10 0.06, uniform 0.08)
    and a ranking whose unretrieved items tie (AUC 0.74): not "no, its
    candidates come from other groups"."""
    scored = TWO_STAGE_SCORED
    clean_top = two_stage_claim(pipeline(0.06, 0.74, 0.05), scored, REFS)
    assert not clean_top.holds
    assert clean_top.text.startswith("On this data, its top 10 says yes and its whole ranking "
                                     "no: spurious@10 0.06 against uniform's 0.08 and in-group "
                                     "alone's 0.94, a run that folds")
    assert "every item beyond the 30 MF retrieves ties" in clean_top.text
    assert "cross-group AUC 0.74 against the data's own 0.90" in clean_top.text
    assert "come from other groups" not in clean_top.text
    separated = two_stage_claim(pipeline(0.05, 0.88, 0.04), scored, REFS)
    assert separated.holds and separated.text.startswith("On this data, yes")
    spurious = two_stage_claim(pipeline(0.5, 0.6, 0.3), scored, REFS)
    assert not spurious.holds and spurious.text.startswith("On this data, no")
    assert "30% of MF's candidates come from other groups" in spurious.text


METRICS = {"spurious_at_k": 0.5, "within_group_recall_at_k": 0.5, "cross_group_auc": 0.6}


def test_the_two_stage_sentence_says_none_and_the_share_that_must_come_from_other_groups():
    """Reviews' links: /mf?seed=2024&leak=0 ("Only 0% of MF's candidates come
    from other groups") and /mf?seed=31&items_per_group=10 ("67% of MF's
    candidates come from other groups", where 30 candidates from groups of 10
    items must be at least 67% other groups' whatever MF does)."""
    scored = TWO_STAGE_SCORED
    clean = two_stage_claim(pipeline(0.0, 0.9, 0.0), scored, REFS)
    assert clean.holds and "0%" not in clean.text
    assert clean.text.endswith("None of MF's candidates come from other groups, and the "
                               "in-group scorer only ranks the candidates.")
    assert "Only 4% of MF's" in two_stage_claim(pipeline(0.05, 0.88, 0.04), scored,
                                                       REFS).text
    small = References(oracle=REFS.oracle, random=REFS.random, k=10, items_per_group=10,
                       groups=5)
    must = two_stage_claim(pipeline(0.5, 0.6, 2 / 3), scored, small)
    assert not must.holds
    assert ("67% of MF's candidates come from other groups (at least 20 of the 30 must: "
            "10 items a group), and the in-group scorer") in must.text
    assert "(at least" not in two_stage_claim(pipeline(0.5, 0.6, 0.3), scored, REFS).text

    rows = two_stage_rows(10, uniform=SimpleNamespace(final_metrics=METRICS),
                          in_group=SimpleNamespace(final_metrics=METRICS),
                          pipeline=SimpleNamespace(metrics=METRICS, retrieved_spurious=0.7,
                                                   retrieved=np.zeros((5, 30), dtype=int)),
                          data=data(10))
    assert rows[1].mf == ("70% of the candidates from other groups (at least 20 of the 30 "
                          "must: 10 items a group)")
    assert two_stage_rows(10, uniform=SimpleNamespace(final_metrics=METRICS),
                          in_group=SimpleNamespace(final_metrics=METRICS),
                          pipeline=SimpleNamespace(metrics=METRICS, retrieved_spurious=0.3,
                                                   retrieved=np.zeros((5, 30), dtype=int)),
                          data=data(40))[1].mf == "30% of the candidates from other groups"


def test_the_two_stage_sentence_where_there_is_nothing_to_test():
    """Reviews' links: /mf?groups=2&leak=0.5 (no run can fold or separate:
    not "no, the in-group scorer ranks them among the query's own"; with
    seed=999, nor "in-group alone neither folds nor separates") and
    /mf?groups=2&items_per_group=10&k=7 (MF retrieves all 20 items: the
    pipeline is in-group alone, nothing was pre-filtered)."""
    scored = {"uniform": {"spurious_at_k": 0.5, "cross_group_auc": 0.5},
              "in-group": {"spurious_at_k": 0.66, "cross_group_auc": 0.3}}
    no_room = References(oracle={"spurious_at_k": 0.5, "cross_group_auc": 0.5},
                         random={"spurious_at_k": 0.5, "cross_group_auc": 0.5}, k=10,
                         items_per_group=40, groups=2)
    claim = two_stage_claim(pipeline(0.5, 0.44, 0.5), scored, no_room)
    assert not claim.holds and claim.text.startswith("On this data the question has no answer")
    assert claim.text.endswith(claims.no_room(no_room)) and "scorer" not in claim.text
    assert "a run that" not in claim.text  # no verdict where none can be given
    small = References(oracle=REFS.oracle, random=REFS.random, k=7, items_per_group=10, groups=2)
    everything = SimpleNamespace(metrics={"spurious_at_k": 0.66, "cross_group_auc": 0.3},
                                 retrieved=np.zeros((5, 20), dtype=int), retrieved_spurious=0.5)
    claim = two_stage_claim(everything, scored, small)
    assert not claim.holds
    assert claim.text.startswith("On this data MF retrieves all 20 items (3 x k, at most the "
                                 "corpus): nothing is pre-filtered, and the pipeline ranks as "
                                 "in-group alone does, which folds (spurious@7 0.66")


def test_in_group_at_an_auc_that_shows_as_050_is_not_said_to_be_below_half():
    # A collapsed model: every query the same ranking, AUC 0.4999965.
    assert not claims_lesson.auc_below_half("in-group", run("in-group", 0.75, 0.4999965)).holds
    assert claims_lesson.auc_below_half("in-group", run("in-group", 0.6, 0.494)).holds


def test_going_past_the_data_names_the_number_that_does_and_the_one_that_does_not():
    refs = References(oracle={"spurious_at_k": 0.05, "within_group_recall_at_k": 0.8,
                              "cross_group_auc": 0.67},
                      random={"spurious_at_k": 0.83, "within_group_recall_at_k": 0.25,
                              "cross_group_auc": 0.5}, k=3, items_per_group=40, groups=6)
    # As /compare?groups=6&leak=0.5&k=3&seed=23: mixed is "in between" by its verdict.
    mixed = {"spurious_at_k": 0.25, "cross_group_auc": 0.70}
    beyond = claims.beyond_claim("mixed", mixed, refs)
    assert beyond.text == ("mixed ranks below the query's own group some items the data makes "
                           "more likely for it: it goes past the data on cross-group AUC (0.70 "
                           "against the data's own 0.67), not on spurious@3 (0.25 against the "
                           "data's own 0.05).")
    assert "separates the groups" not in beyond.text
    summary = claims.beyond_summary({"mixed": mixed, "uniform": {
        "spurious_at_k": 0.0, "cross_group_auc": 0.75}, "in-group": {
        "spurious_at_k": 0.6, "cross_group_auc": 0.6}}, refs)
    assert summary.text.startswith("mixed goes past the data on cross-group AUC")
    assert ("; uniform goes past the data on both numbers (spurious@3 0.00 against the data's "
            "own 0.05; AUC 0.75 against the data's own 0.67)") in summary.text
    assert "in-group" not in summary.text
    assert claims.beyond_summary({"in-group": {"spurious_at_k": 0.6, "cross_group_auc": 0.6}},
                                 refs) is None
    # A review's link (/compare?seed=31&groups=2&items_per_group=10&negatives=50): AUC
    # 0.9380, not past the data's 0.9210 by 0.02, read "0.94 against 0.92" beside a
    # run that is, 0.9412 against 0.9210: three decimals where two read the other way.
    close = References(oracle={"spurious_at_k": 0.30, "cross_group_auc": 0.9210},
                       random={"spurious_at_k": 0.5, "cross_group_auc": 0.5}, k=10,
                       items_per_group=10, groups=2)
    summary = claims.beyond_summary({
        "full": {"spurious_at_k": 0.20, "cross_group_auc": 0.9412},
        "popularity": {"spurious_at_k": 0.20, "cross_group_auc": 0.9380}}, close).text
    assert "full goes past the data on both numbers (spurious@10 0.20 against the data's own " \
           "0.30; AUC 0.94 against the data's own 0.92)" in summary
    assert "popularity goes past the data on spurious@10 (0.20 against the data's own 0.30), " \
           "not on cross-group AUC (0.938 against the data's own 0.921: higher, but by less " \
           "than 0.02)" in summary
    # A review's link (/compare?k=50&groups=2&items_per_group=60): full's spurious@50
    # 0.14 against the data's 0.15 read as fewer, and yet "not past", with no reason.
    wide = References(oracle={"spurious_at_k": 0.1512, "cross_group_auc": 0.80},
                      random={"spurious_at_k": 0.5, "cross_group_auc": 0.5}, k=50,
                      items_per_group=60, groups=2)
    text = claims.beyond_claim("full", {"spurious_at_k": 0.1401, "cross_group_auc": 0.85},
                               wide).text
    assert ("not on spurious@50 (0.14 against the data's own 0.15: fewer, but by less than "
            "0.02)") in text


def cost(strategy, items, median, low, high):
    return StepCost(strategy, items, median, median, low, high, 0, 0, 0)


def test_step_cost_sentences_come_from_the_table():
    costs = [cost("full", 1_000, 0.002, 0.0019, 0.0021), cost("uniform", 1_000, 0.001, 0.0009,
                                                              0.0012),
             cost("full", 100_000, 0.2, 0.19, 0.21), cost("uniform", 100_000, 0.0011, 0.001,
                                                           0.0013)]
    full, uniform, ratio = claims.step_cost_claims(costs)
    assert full.holds and "100 times as long for 100 times the items" in full.text
    assert not uniform.holds and "no change beyond the spread" in uniform.text
    assert "one full-softmax step costs 182 uniform steps" in ratio.text
