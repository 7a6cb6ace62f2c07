"""The MF page's sentences (recdemo/mf_comparison.py): what each model is
scored on, the tables' pairs, and whether two stages separate, on hand-built
cases."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from recdemo import claims
from recdemo.mf_comparison import pair, scored_caption, two_stage_claim, two_stage_rows
from recdemo.references import References
from tests.claim_cases import REFS, data


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


def test_what_the_mf_page_scores_each_model_on():
    assert scored_caption(0, 1, "average") == (
        "Every model is scored on the same held-out positive: each test query's only one "
        "(it brings none to MF's fold-in).")
    assert "1 of each test query's 2 positives is what it brings to MF's fold-in, the other " \
        "one is scored." in scored_caption(1, 2, "fold-in")
    assert "2 of each test query's 5 positives are what it would bring to MF's fold-in (here " \
        "MF embeds it by the average instead), the other 3 are scored." in \
        scored_caption(2, 5, "average")


def test_the_mf_tables_leave_out_within_group_recall_where_k_covers_a_group():
    metrics = {"spurious_at_k": 0.123, "within_group_recall_at_k": 1.0}
    assert pair(metrics, 10, data()) == "spurious@10 0.12, within-group recall@10 1.00"
    assert pair(metrics, 10, data(10)) == "spurious@10 0.12"
    assert pair(metrics, 5, data(10, positives=10)) == "spurious@5 0.12"


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
