"""The claims of the practitioners' lessons (recdemo/claims_practice.py) and
the negatives-seen picture, on hand-built cases and on short real runs."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from recdemo import claims, claims_lesson, claims_practice
from recdemo.data import DataConfig, make_dataset
from recdemo.exercises import EXERCISES, SAME_COST
from recdemo.figures.negatives import negatives_figure
from recdemo.references import References, references
from recdemo.train import TrainConfig, train
from recdemo.verdicts import RECALL, verdict

DATA = DataConfig(groups=3, items_per_group=10, queries_per_group=30, test_queries_per_group=5)


@pytest.fixture(scope="module")
def data():
    return make_dataset(DATA)


@pytest.fixture(scope="module")
def refs(data):
    return references(data, 5)


def run(data, **settings):
    return train(data, TrainConfig(epochs=4, k=5, **settings))


def test_a_switched_run_says_what_it_did_before_and_after_from_its_own_frames(data, refs):
    result = run(data, strategy="positives-only", switch_at=2, switch_to="uniform")
    claim = claims_practice.switch_claim("positives-only", result, refs)
    before, after = result.metrics[2], result.final_metrics
    assert f"After 2 epochs of positives-only, spurious@5 {before['spurious_at_k']:.2f}" \
        in claim.text
    assert "Then 2 epochs of uniform" in claim.text
    assert f"cross-group AUC {after['cross_group_auc']:.2f}" in claim.text


def test_a_switched_run_names_the_gravity_it_had_before_the_switch(data, refs):
    result = run(data, strategy="positives-only", gravity=1.0, switch_at=1,
                 switch_to="uniform")
    claim = claims_practice.switch_claim("positives-only", result, refs)
    assert claim.text.startswith("After 1 epoch of positives-only with gravity 1, spurious@5")
    assert "Then 3 epochs of uniform, from the same parameters" in claim.text


def test_a_switch_that_makes_the_run_fold_is_not_called_folding_undone(refs):
    """A review's link (the Lesson, 2 groups, seed 31): positives-only neither
    folded nor separated, then uniform made it fold. The closing sentence,
    which credits the loss with undoing folding, is said only of a verdict
    better than the same run's without the switch."""
    config = TrainConfig(strategy="positives-only", switch_at=1, switch_to="uniform", epochs=2,
                         k=5)

    def switched(before, after):
        return SimpleNamespace(config=config, metrics=[before, before, after],
                               final_metrics=after)

    def unswitched(final):
        return SimpleNamespace(final_metrics=final)

    separated, folded = refs.oracle, refs.random
    assert verdict(separated, refs) == "separates" and verdict(folded, refs) == "folds"
    worse = claims_practice.switch_claim("positives-only", switched(separated, folded), refs,
                                         unswitched(separated))
    assert not worse.holds
    assert worse.text.endswith("it separates the groups. Here the switch (then uniform after "
                               "epoch 1) made the run worse than training on without it.")
    better = claims_practice.switch_claim("positives-only", switched(folded, separated), refs,
                                          unswitched(folded))
    assert better.holds and better.text.endswith(
        "The same run without the switch (2 epochs of positives-only) ends at spurious@5 "
        f"{folded['spurious_at_k']:.2f}, cross-group AUC 0.50; it folds. What the loss saw "
        "decided it, not the data, which stayed the same.")
    same = claims_practice.switch_claim("positives-only", switched(folded, folded), refs,
                                        unswitched(folded))
    assert not same.holds and same.text.endswith("it folds. The switch did not change the "
                                                 "verdict.")
    # Where no run can fold or separate (a review's link: 2 groups, k 50 of 20
    # items), no verdict before or after, and the reason.
    no_room = References(oracle={"spurious_at_k": 0.5, "cross_group_auc": 0.9},
                         random={"spurious_at_k": 0.5, "cross_group_auc": 0.5}, k=5,
                         items_per_group=10, groups=2)
    both = {"spurious_at_k": 0.5, "cross_group_auc": 0.6}
    claim = claims_practice.switch_claim("positives-only", switched(both, both), no_room)
    assert not claim.holds and "neither" not in claim.text and ": it " not in claim.text
    assert claim.text.endswith(claims.no_room(no_room))


def test_a_switch_beside_numbers_that_read_as_another_verdict_gets_three_decimals(refs):
    """A review's link, /train?leak=0.3&strategy=in-batch&switch_at=12: "spurious@10
    0.27, cross-group AUC 0.78: it separates", beside the data's own 0.08 and a
    random ranking's 0.83 (0.253 of the way; exactly 0.2683 of 0.0806 and 0.8333,
    0.249): the state gets three decimals and the rule's references."""
    refs = References(oracle={"spurious_at_k": 0.0806, "cross_group_auc": 0.89},
                      random={"spurious_at_k": 0.8333, "cross_group_auc": 0.5}, k=10,
                      items_per_group=40, groups=6)
    config = TrainConfig(strategy="in-batch", switch_at=1, switch_to="uniform", epochs=2)
    before = {"spurious_at_k": 0.2683, "cross_group_auc": 0.80}
    after = {"spurious_at_k": 0.5, "cross_group_auc": 0.6}
    assert verdict(before, refs) == "separates"
    result = SimpleNamespace(config=config, metrics=[after, before, after], final_metrics=after)
    text = claims_practice.switch_claim("in-batch", result, refs).text
    assert text.startswith("After 1 epoch of in-batch, spurious@10 0.268 against the data's own "
                           "0.081 and a random ranking's 0.833; cross-group AUC 0.800 against "
                           "the data's own 0.890: it separates the groups.")
    assert "Then 1 epoch of uniform, from the same parameters and optimizer state: "\
           "spurious@10 0.50, cross-group AUC 0.60" in text


def test_the_logq_claim_compares_the_two_runs_it_is_given():
    def with_recall(value):
        return SimpleNamespace(final_metrics={"within_group_recall_at_k": value})
    refs = References({}, {}, 10, 40, 6)
    assert claims_practice.logq_claim("in-batch", with_recall(0.8), with_recall(0.7), refs).holds
    claim = claims_practice.logq_claim("in-batch", with_recall(0.6), with_recall(0.7), refs)
    assert not claim.holds and "the correction makes it worse here" in claim.text
    # 0.9371 against 0.9357 shows as 0.94 against 0.94: no help to speak of.
    claim = claims_practice.logq_claim("mixed", with_recall(0.9371), with_recall(0.9357), refs)
    assert not claim.holds
    assert "**0.94**; without it, 0.94" in claim.text
    assert "changes it by less than 0.01 here" in claim.text
    # Closer than the margin but apart at two decimals: shown to three.
    claim = claims_practice.logq_claim("mixed", with_recall(0.81907), with_recall(0.82824), refs)
    assert "**0.819**; without it, 0.828" in claim.text
    assert "changes it by less than 0.01 here" in claim.text
    # Past the margin the two numbers shown differ.
    claim = claims_practice.logq_claim("mixed", with_recall(0.2451), with_recall(0.2349), refs)
    assert claim.holds and "**0.25**; without it, 0.23" in claim.text


def test_recalls_exactly_0_01_apart_are_apart_whichever_way_floats_round():
    """0.69 - 0.68 is 0.00999… in floats and 0.68 - 0.67 is 0.01000…9: the
    sentences read the two alike, 0.01 apart, never "less than 0.01"."""
    assert 0.69 - 0.68 < 0.01 < 0.68 - 0.67  # the floats the rule must see past
    assert claims.apart(0.69, 0.68) and claims.apart(0.67, 0.68)
    assert not claims.apart(0.065, 0.0551)
    refs = References({}, {}, 10, 40, 6)

    def with_recall(value):
        return SimpleNamespace(final_metrics={"within_group_recall_at_k": value})
    for corrected, uncorrected in ((0.69, 0.68), (0.68, 0.67)):
        claim = claims_practice.logq_claim("mixed", with_recall(corrected),
                                           with_recall(uncorrected), refs)
        assert claim.holds and "the correction helps here" in claim.text, claim.text
        claim = claims_practice.logq_claim("mixed", with_recall(uncorrected),
                                           with_recall(corrected), refs)
        assert "the correction makes it worse here" in claim.text, claim.text
    runs = {name: SimpleNamespace(config=SimpleNamespace(k=10), final_metrics={RECALL: value})
            for name, value in (("positives-only", 0.05), ("uniform", 0.06), ("in-group", 0.7))}
    assert "is the lowest of the runs here" in claims_lesson.lowest_recall(
        "positives-only", runs, refs).text
    # 0.1 below (0.8 - 0.7 is 0.10000000000000009): as the good-inside rule,
    # "no more than 0.1", and good inside.
    for name, value in (("positives-only", 0.7), ("uniform", 0.8), ("in-group", 0.8)):
        runs[name].final_metrics[RECALL] = value
    claim = claims_lesson.lowest_recall("positives-only", runs, refs)
    assert "but by no more than 0.1" in claim.text, claim.text
    good = claims_lesson.good_inside("uniform", runs["positives-only"], "in-group",
                                     runs["in-group"], References({}, {RECALL: 0.1}, 10, 40, 6))
    assert good.holds and "nearly as good as in-group's 0.80" in good.text


def test_two_recalls_are_shown_as_far_apart_as_the_sentence_says():
    """A review: 0.125 and 0.115 are 0.01 apart and both 0.12 to two decimals:
    "**0.12**; without it, 0.12 … the correction helps here"."""
    assert claims.close_pair(0.125, 0.115) == ("0.125", "0.115")
    assert claims.close_pair(0.819, 0.828) == ("0.819", "0.828")  # alike, shown apart
    assert claims.close_pair(0.62, 0.5) == ("0.62", "0.50")

    def with_recall(value):
        return SimpleNamespace(final_metrics={"within_group_recall_at_k": value})
    claim = claims_practice.logq_claim("mixed", with_recall(0.125), with_recall(0.115),
                                       References({}, {}, 10, 40, 6))
    assert "**0.125**; without it, 0.115" in claim.text and "helps" in claim.text
    # Exactly 0.02 is not past the data's own: shown to three decimals, as
    # two read 0.02 apart as past.
    assert claims.against_the_data(0.12, 0.14, False, -1) == (
        "0.120 against the data's own 0.140: fewer, but by no more than 0.02")


def test_in_group_draws_nothing_from_other_groups_and_positives_only_nothing_at_all(data):
    (in_group,) = claims_practice.negatives_claims("in-group", run(data, strategy="in-group"),
                                                    data)
    assert in_group.text == "0% of in-group's negatives came from other groups' items: none at all."
    (nothing,) = claims_practice.negatives_claims("positives-only",
                                                   run(data, strategy="positives-only"), data)
    assert nothing.text == ("positives-only drew no negatives: positives-only scores only its "
                            "query's positives, and nothing pushed any item down.")
    # A review's link: with gravity, which pulls every score toward zero,
    # "nothing pushed any item down" was not so.
    (pulled,) = claims_practice.negatives_claims(
        "positives-only", run(data, strategy="positives-only", gravity=1.0, switch_at=1,
                              switch_to="positives-only"), data)
    assert pulled.text == ("positives-only drew no negatives: positives-only scores only its "
                           "query's positives; gravity pulls every score toward zero, whatever "
                           "its group.")
    # Every item of a group is a positive of each of its queries: in-group has
    # nothing to draw, and its softmax over the positives still moves them
    # against each other.
    full = make_dataset(DataConfig(groups=2, items_per_group=10, positives=10, leak=0.0,
                                   queries_per_group=10))
    (in_group,) = claims_practice.negatives_claims("in-group", run(full, strategy="in-group"),
                                                    full)
    assert in_group.text == ("in-group drew no negatives: every item it scored in training "
                             "was one of its query's positives.")


def test_in_batch_never_draws_an_item_no_query_chose():
    data = make_dataset(DataConfig(groups=3, items_per_group=60, queries_per_group=10,
                                   positives=2, popularity_skew=2.0))
    assert (data.item_popularity == 0).any(), "some items no training query chose"
    claims = claims_practice.negatives_claims("in-batch", run(data, strategy="in-batch"), data)
    assert claims[-1].holds and "were never negatives: in-batch draws" in claims[-1].text
    # A review's link: switched to full (or hard), the unchosen items were the
    # full softmax's negatives, not mixed's uniform draws: nothing is said of them.
    for other in ("full", "hard"):
        switched = run(data, strategy="in-batch", switch_at=1, switch_to=other)
        said = " ".join(c.text for c in claims_practice.negatives_claims("x", switched, data))
        assert "no training query chose" not in said, other
    both = run(data, strategy="in-batch", switch_at=2, switch_to="mixed")
    (_, unchosen) = claims_practice.negatives_claims("x", both, data)
    assert unchosen.holds and "uniform draw" in unchosen.text


PROTOCOL_REFS = References(
    oracle={"spurious_at_k": 0.0, "within_group_recall_at_k": 0.8, "cross_group_auc": 0.9},
    random={"spurious_at_k": 0.8, "within_group_recall_at_k": 0.25, "cross_group_auc": 0.5},
    k=10, items_per_group=40, groups=5)


def test_the_evaluation_claims_rank_in_group_under_each_protocol():
    protocols = {
        "uniform": {"recall_at_k": 0.5, "sampled_recall_at_k": 0.9,
                    "own_group_sampled_recall_at_k": 0.40, "within_group_recall_at_k": 0.55},
        "in-group": {"recall_at_k": 0.1, "sampled_recall_at_k": 0.5,
                     "own_group_sampled_recall_at_k": 0.45, "within_group_recall_at_k": 0.6},
        "full": {"recall_at_k": 0.6, "sampled_recall_at_k": 0.8,
                 "own_group_sampled_recall_at_k": 0.42, "within_group_recall_at_k": 0.5},
    }
    metrics = {"in-group": {"spurious_at_k": 0.94, "cross_group_auc": 0.4}}
    ranks, corpus, own = claims_practice.protocol_claims(protocols, metrics, PROTOCOL_REFS)
    assert "ranks **1st of 3**; against 100 from the whole corpus 3rd, and ranked against " \
           "every item 3rd" in ranks.text
    assert ranks.holds and ranks.text.endswith("cannot see folding.")
    assert not corpus.holds
    assert "the best is uniform; ranked against every item, the best is full" in corpus.text
    assert own.holds


def test_a_folded_in_group_the_own_group_protocol_ranks_no_higher_hides_nothing():
    """A review's link, /compare?learning_rate=0.5: every run at chance, and
    in-group 6th of 8 against its own group's negatives, 5th against every
    item; the page said the own-group protocol "cannot see folding"."""
    protocols = {
        "uniform": {"recall_at_k": 0.05, "sampled_recall_at_k": 0.12,
                    "own_group_sampled_recall_at_k": 0.40},
        "in-group": {"recall_at_k": 0.06, "sampled_recall_at_k": 0.10,
                     "own_group_sampled_recall_at_k": 0.38},
        "full": {"recall_at_k": 0.04, "sampled_recall_at_k": 0.11,
                 "own_group_sampled_recall_at_k": 0.41},
    }
    metrics = {"in-group": {"spurious_at_k": 0.79, "cross_group_auc": 0.5}}
    ranks, _ = claims_practice.protocol_claims(protocols, metrics, PROTOCOL_REFS)
    assert "ranks **3rd of 3**; against 100 from the whole corpus 3rd, and ranked against " \
           "every item 1st" in ranks.text
    assert not ranks.holds and "cannot see folding" not in ranks.text
    assert ranks.text.endswith("it folds, but the protocol that draws from the query's own "
                               "group ranks it no higher than ranking against every item does.")


def test_the_evaluation_claims_say_ties_as_ties():
    """With k at least every item, every strategy's recall is 1: none is the
    best, none ranks first alone, and Kendall's tau is undefined, not "nan"."""
    tie = {"recall_at_k": 1.0, "sampled_recall_at_k": 1.0, "own_group_sampled_recall_at_k": 1.0,
           "within_group_recall_at_k": 1.0}
    protocols = {"full": tie, "uniform": tie, "in-group": tie}
    ranks, corpus, own = claims_practice.protocol_claims(
        protocols, {"in-group": {"spurious_at_k": 0.5, "cross_group_auc": 0.34}},
        # k 30 of 20 items: every ranking's spurious@30 is 0.50, the oracle's too.
        References({"spurious_at_k": 0.5, "cross_group_auc": 0.93},
                   {"spurious_at_k": 0.5, "cross_group_auc": 0.5}, 30, 10, 2))
    assert "ranks **1st of 3, tied with 2**" in ranks.text
    # No room on this data: no run can fold, and the sentence says so.
    assert not ranks.holds and ranks.text.endswith(
        "is 0.50, and at k = 30 no run can fold or separate.")
    assert corpus.text == ("Sampled from the whole corpus, every strategy ties; ranked against "
                           "every item, every strategy ties (Kendall's tau is undefined: one of "
                           "the two orders ties every strategy).")
    for claim in (corpus, own):
        assert "nan" not in claim.text and not claim.holds


def test_the_evaluation_claims_tie_what_differs_only_by_float_rounding():
    """A review's link (/compare?leak=0&seed=123&epochs=1): full's and
    in-batch's within-group recall@10 were the same hits, 0.4844444444444444
    and 0.48444444444444457, and the page named in-batch alone the best."""
    def run(recall, sampled, own, within):
        return {"recall_at_k": recall, "sampled_recall_at_k": sampled,
                "own_group_sampled_recall_at_k": own, "within_group_recall_at_k": within}
    protocols = {"full": run(0.54, 0.82, 0.30, 0.4844444444444444),
                 "in-group": run(0.5400000000000001, 0.28, 0.26, 0.47),
                 "in-batch": run(0.6, 0.84, 0.29, 0.48444444444444457)}
    ranks, _, own = claims_practice.protocol_claims(
        protocols, {"in-group": {"spurious_at_k": 0.72, "cross_group_auc": 0.48}}, PROTOCOL_REFS)
    assert "ranked against every item 2nd, tied with 1" in ranks.text
    assert own.text.startswith("Sampled from the query's own group, the best is full; ranked "
                               "against every item of the own group, the best is full and "
                               "in-batch, tied (Kendall's")


def test_the_evaluation_claims_place_in_group_as_the_page_names_the_best():
    """A review: Compare placed in-group by strict order, where the best
    sentences group values less than 0.01 apart: 0.681 ranked "2nd" under
    0.683, which the table shows alike, and a difference of 0.005 against
    every item made "cannot see folding" hold."""
    def run(recall, sampled, own):
        return {"recall_at_k": recall, "sampled_recall_at_k": sampled,
                "own_group_sampled_recall_at_k": own}
    protocols = {"uniform": run(0.105, 0.9, 0.683), "in-group": run(0.1, 0.2, 0.681),
                 "full": run(0.104, 0.8, 0.67)}
    metrics = {"in-group": {"spurious_at_k": 0.94, "cross_group_auc": 0.4,
                            "within_group_recall_at_k": 0.6}}
    ranks, _ = claims_practice.protocol_claims(protocols, metrics, PROTOCOL_REFS)
    assert ("ranks **1st of 3, less than 0.01 from 1 other**; against 100 from the whole corpus "
            "3rd, and ranked against every item 1st, less than 0.01 from 2 others.") in ranks.text
    assert not ranks.holds and ranks.text.endswith("ranks it no higher than ranking against "
                                                   "every item does.")
    # A gap of 0.01 or more is a place.
    protocols["full"]["recall_at_k"] = protocols["uniform"]["recall_at_k"] = 0.2
    ranks, _ = claims_practice.protocol_claims(protocols, metrics, PROTOCOL_REFS)
    assert "ranked against every item 3rd. Its" in ranks.text
    assert ranks.holds and ranks.text.endswith("cannot see folding.")


def test_the_evaluation_claims_leave_out_what_was_not_measured():
    """Within-group recall left out by the page (k at least a group's items),
    and no negatives to draw from the own group (NaN): those comparisons are
    not made; the corpus's still is."""
    def run(recall, sampled, own):
        return {"recall_at_k": recall, "sampled_recall_at_k": sampled,
                "own_group_sampled_recall_at_k": own}
    protocols = {"full": run(0.6, 0.8, np.nan), "in-group": run(0.1, 0.5, np.nan),
                 "uniform": run(0.5, 0.9, np.nan)}
    (corpus,) = claims_practice.protocol_claims(
        protocols, {"in-group": {"spurious_at_k": 0.94, "cross_group_auc": 0.4}}, PROTOCOL_REFS)
    assert corpus.text.startswith("Sampled from the whole corpus, the best is uniform")


def test_the_negatives_picture_counts_what_the_run_counted_at_every_frame(data):
    result = run(data, strategy="uniform")
    fig = negatives_figure(data, result).to_dict()
    totals = np.cumsum(result.negatives_seen, axis=0)
    for epoch, frame in enumerate(fig["frames"][1:], start=1):
        matrix = np.array(frame["data"][0]["z"])
        by_group = totals[epoch - 1] @ (data.item_groups[:, None] == np.arange(3)).astype(float)
        np.testing.assert_allclose(matrix, by_group / by_group.sum(axis=1, keepdims=True),
                                   atol=1e-6)
    assert fig["frames"][0]["data"][0]["text"][0][0] == "–", "no negatives before training"


def test_one_unchosen_item_is_said_in_the_singular():
    """A review's link (/train?strategy=in-batch&seed=3): one item of that data
    is no training query's positive."""
    data = make_dataset(DataConfig(seed=3))
    assert (data.item_popularity == 0).sum() == 1
    result = train(data, TrainConfig(strategy="in-batch", seed=3, epochs=1))
    texts = [claim.text for claim in claims_practice.negatives_claims("in-batch", result, data)]
    assert "The item no training query chose was never a negative: in-batch draws only " \
        "other queries' positives." in texts


def test_the_exercise_on_hard_negatives_says_a_cost_only_past_one_timings_noise():
    """A review: "hard cost more here" read one timing of each run as a law.
    A ratio closer to 1 than SAME_COST is said to be about the same."""
    (answer,) = [e.answer for e in EXERCISES if e.title == "Uniform or hard negatives"]

    def said(uniform, hard):
        looked = SimpleNamespace(results=[SimpleNamespace(cpu_seconds=uniform),
                                          SimpleNamespace(cpu_seconds=hard)],
                                 verdict=lambda index: "")
        return answer(looked)

    assert "hard cost about 2.0 times as much here" in said(0.06, 0.12)
    assert "hard cost about as much here" in said(0.10, 0.11)
    assert "hard cost about as much here" in said(0.11, 0.10)
    assert "hard cost less here, 0.5 times uniform's" in said(0.12, 0.06)
    assert SAME_COST > 1
    # /exercises?exercise=2: "took 0.16 CPU seconds, uniform 0.10: ... about 1.5 times",
    # a ratio its own rounded times do not give.
    assert ("Training hard took 0.155 CPU seconds, uniform 0.104: hard cost about 1.5 times"
            in said(0.104, 0.155))


def test_a_switch_is_not_credited_with_what_the_later_epochs_did(refs):
    """A review's link, /train?strategy=uniform&learning_rate=0.01&switch_at=1:
    "What the loss saw decided it" of a run only undertrained at the switch.
    The switch is credited only against the same run without it."""
    config = TrainConfig(strategy="positives-only", switch_at=1, switch_to="uniform", epochs=2,
                         k=5)
    separated, folded = refs.oracle, refs.random
    result = SimpleNamespace(config=config, metrics=[folded, folded, separated],
                             final_metrics=separated)
    later = claims_practice.switch_claim("positives-only", result, refs,
                                         SimpleNamespace(final_metrics=separated))
    assert not later.holds and "What the loss saw" not in later.text
    assert later.text.endswith("it separates the groups. The switch did not change the "
                               "verdict: the later epochs did.")
    # The run without the switch did not train: no cause either way.
    unknown = claims_practice.switch_claim("positives-only", result, refs, None)
    assert not unknown.holds and unknown.text.endswith(
        "It ends better than it was at the switch; the same run without the switch did not "
        "train, so this does not say whether the switch or the later epochs did it.")


@pytest.mark.parametrize("strategy, gravity", [("hard", 0.0), ("positives-only", 1.0)])
def test_a_switch_to_the_same_loss_says_it_changed_nothing(data, refs, strategy, gravity):
    """A review's links, /train?strategy=hard&switch_at=1&switch_to=hard&groups=2
    and the like: the sidebar's switch_to is uniform, as the default strategy
    is, so a switch that changes nothing is one slider away."""
    result = run(data, strategy=strategy, gravity=gravity, switch_at=1, switch_to=strategy,
                 switch_gravity=gravity)
    unswitched = run(data, strategy=strategy, gravity=gravity)
    assert result.final_metrics == unswitched.final_metrics, "nothing changed indeed"
    claim = claims_practice.switch_claim(strategy, result, refs, unswitched)
    assert not claim.holds and "What the loss saw" not in claim.text
    assert claim.text.endswith("The switch changed nothing the loss sees: the same strategy and "
                               "gravity before and after it, so this is one run of 4 epochs.")


def test_a_gravity_only_switch_is_named_by_what_it_changed(refs):
    """A review: positives-only switched to positives-only with gravity 1,
    worse than without: "the switch to positives-only made the run worse"
    blamed a strategy that did not change."""
    config = TrainConfig(strategy="positives-only", switch_at=1, switch_to="positives-only",
                         switch_gravity=1.0, epochs=2, k=5)
    separated, folded = refs.oracle, refs.random
    result = SimpleNamespace(config=config, metrics=[separated, separated, folded],
                             final_metrics=folded)
    claim = claims_practice.switch_claim("positives-only", result, refs,
                                         SimpleNamespace(final_metrics=separated))
    assert claim.text.endswith("Here the switch (then positives-only with gravity 1 after "
                               "epoch 1) made the run worse than training on without it.")
    unknown = claims_practice.switch_claim("positives-only", result, refs, None, "it diverged")
    assert unknown.text.endswith("It ends worse than it was at the switch; the same run "
                                 "without the switch did not train (it diverged), so this "
                                 "does not say whether the switch or the later epochs did it.")


def test_the_evaluation_claims_read_recalls_less_than_0_01_apart_as_one():
    """A review's /compare: "the best is in-batch; ranked against every item
    of the own group, in-group" on recalls 0.6836, 0.6819 and 0.6808, which
    the table shows as 0.68 alike."""
    def run(own, within):
        return {"recall_at_k": 0.5, "sampled_recall_at_k": 0.8,
                "own_group_sampled_recall_at_k": own, "within_group_recall_at_k": within}
    protocols = {"full": run(0.470, 0.6819), "in-group": run(0.40, 0.6836),
                 "in-batch": run(0.483, 0.6808), "mixed": run(0.480, 0.60)}
    _, _, own = claims_practice.protocol_claims(
        protocols, {"in-group": {"spurious_at_k": 0.2, "cross_group_auc": 0.9}}, PROTOCOL_REFS)
    assert own.text.startswith(
        "Sampled from the query's own group, the best is in-batch and mixed, less than 0.01 "
        "apart; ranked against every item of the own group, the best is in-group, full and "
        "in-batch, less than 0.01 apart (Kendall's"), own.text
    assert not own.holds, "the two protocols' best are not the same runs"
    protocols["in-batch"] = run(0.483, 0.66)
    _, _, own = claims_practice.protocol_claims(
        protocols, {"in-group": {"spurious_at_k": 0.2, "cross_group_auc": 0.9}}, PROTOCOL_REFS)
    assert ("ranked against every item of the own group, the best is in-group and full, less "
            "than 0.01 apart") in own.text
    # The same runs best under both: as ranked against every item, and it holds.
    protocols = {"full": run(0.47, 0.68), "in-group": run(0.40, 0.5), "mixed": run(0.475, 0.675)}
    _, _, own = claims_practice.protocol_claims(
        protocols, {"in-group": {"spurious_at_k": 0.2, "cross_group_auc": 0.9}}, PROTOCOL_REFS)
    assert own.holds and own.text.startswith(
        "Sampled from the query's own group, the best is mixed and full, less than 0.01 apart, "
        "as ranked against every item of the own group"), own.text
    # One run (the others diverged): no order to compare.
    assert claims_practice.protocol_claims({"uniform": run(0.4, 0.5)}, {}, PROTOCOL_REFS) == []
    # All of them within 0.01 (a review's /compare?learning_rate=0.0001, where
    # the sampled protocol named all 8 "the best").
    protocols = {name: run(0.1 + 0.001 * i, 0.2 + 0.1 * i)
                 for i, name in enumerate(("full", "in-group", "uniform"))}
    _, _, own = claims_practice.protocol_claims(
        protocols, {"in-group": {"spurious_at_k": 0.2, "cross_group_auc": 0.9}}, PROTOCOL_REFS)
    assert own.text.startswith("Sampled from the query's own group, all 3 strategies are less "
                               "than 0.01 apart; ranked against every item of the own group, "
                               "the best is uniform (Kendall's"), own.text


def test_a_sampled_protocol_hides_no_folding_where_in_group_ranks_at_chance():
    """A review's /compare?learning_rate=0.0001: every run at the protocol's
    chance, in-group "1st of 8, tied with 4" against its own group's negatives,
    and the page said such a protocol "cannot see folding"."""
    chance = {"recall_at_k": 0.05, "sampled_recall_at_k": 0.1,
              "own_group_sampled_recall_at_k": 0.1}
    protocols = {"uniform": chance, "in-group": {**chance, "recall_at_k": 0.01},
                 "full": {**chance, "recall_at_k": 0.02, "own_group_sampled_recall_at_k": 0.09}}
    folded = {"spurious_at_k": 0.8, "cross_group_auc": 0.5}
    ranks, _ = claims_practice.protocol_claims(
        protocols, {"in-group": folded | {"within_group_recall_at_k": 0.26}}, PROTOCOL_REFS)
    assert "ranks **1st of 3, tied with 1**" in ranks.text
    assert not ranks.holds and "cannot see folding" not in ranks.text
    assert ranks.text.endswith(
        "it folds, and inside its group it ranks no better than chance either (within-group "
        "recall@10 0.26 against a random ranking's 0.25), so no protocol has anything to "
        "hide."), ranks.text
    # Where it still ranks inside its group, the protocol hides its folding.
    ranks, _ = claims_practice.protocol_claims(
        protocols, {"in-group": folded | {"within_group_recall_at_k": 0.7}}, PROTOCOL_REFS)
    assert ranks.holds and ranks.text.endswith("cannot see folding.")
