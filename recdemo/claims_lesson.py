"""The Lesson's sentences on what each run learned (sections 3, 4 and 6, and
the exercises on them): positives-only beside a run that separates (one
direction, length, shared top items, the lowest recall), in-group's recall
and AUC, and what gravity did. claims.py has the verdicts and the
references; claims_practice.py the lessons practitioners meet.

Each threshold is written next to its claim. tests/test_claims.py recomputes
every one independently on runs across seeds and settings, and
tests/test_claims_lesson.py checks the wording on hand-built cases.
"""

from __future__ import annotations

from recdemo.claims import (
    SAME_RECALL,
    VERDICT_WORDS,
    Claim,
    apart,
    close_pair,
    no_room,
)
from recdemo.metrics import (
    cross_group_overlap,
    length_score_correlation,
    mean_cosine,
    top_length,
)
from recdemo.references import References
from recdemo.verdicts import RECALL, SEPARATES, difference, recall_at_chance, verdict
from recdemo.wording import fmt, percent

# Positives-only, beside a run that separates (Lesson, section 3) ---------------

ONE_DIRECTION = 0.3  # mean cosine of the item embeddings above which they share one direction
LENGTH_DECIDES = 0.5  # correlation of item length and mean score above which length decides
SHARED_TOP_K = 0.2  # share of their top k that queries of different groups have in common
APART = 0.2  # and each at least this much above the separating run's


def folded_geometry(*, folded, separated, test_groups) -> list[Claim]:
    """What positives-only (``folded``) learned, each beside ``separated``'s
    (say, uniform's): one shared direction, length that decides the score, and
    queries of different groups that get the same items."""
    other = separated.config.strategy

    def learned(result):
        Q, V = result.query_embeddings, result.item_embeddings
        return (mean_cosine(V), length_score_correlation(Q, V),
                cross_group_overlap(result.top_k_snapshots[-1], test_groups))

    (cosine, length, shared), (cosine_s, length_s, shared_s) = learned(folded), learned(separated)
    k = top_length(folded.config.k, len(folded.item_embeddings))

    def but(mine, theirs):  # where the absolute test passed and the one against `other` not
        return "but no more than" if mine <= theirs else "but not much more than"

    claims = []
    holds = cosine > ONE_DIRECTION and cosine > cosine_s + APART
    claims.append(Claim(holds, (
        f"its item embeddings point one way: a mean cosine of **{fmt(cosine)}** with each "
        f"other ({other}'s: {fmt(cosine_s)})" if holds else
        f"its item embeddings share a direction, {but(cosine, cosine_s)} {other}'s: a mean "
        f"cosine of {fmt(cosine)} with each other ({other}'s: {fmt(cosine_s)})"
        if cosine > ONE_DIRECTION else
        f"its item embeddings do not all point one way here: a mean cosine of {fmt(cosine)} "
        f"with each other ({other}'s: {fmt(cosine_s)})")))
    # Length decides every query's score only if queries of different groups
    # then share their top items: a correlation with the *mean* score alone
    # can be high while each query still ranks its own group first.
    shared_holds = shared > SHARED_TOP_K and shared > shared_s + APART
    goes = length > LENGTH_DECIDES and length > length_s + APART
    holds = length_decides = goes and shared_holds
    claims.append(Claim(holds, (
        f"an item's length decides its score for every query (correlation of length and mean "
        f"score **{fmt(length)}**; {other}'s {fmt(length_s)})" if holds else
        f"an item's length goes with its mean score over the queries (correlation "
        f"{fmt(length)}; {other}'s {fmt(length_s)})"
        # Queries that keep their own top items are not ranked by length alone;
        # ones that share them as the other run's do may be (a review's
        # /?seed=512&learning_rate=2&dim=2: 98%, uniform's 96%): not measured.
        + (", but does not decide each query's top items" if shared <= SHARED_TOP_K else "")
        if goes else
        f"an item's length goes with its score, {but(length, length_s)} for {other} "
        f"(correlation of length and mean score {fmt(length)}; {other}'s {fmt(length_s)})"
        if length > LENGTH_DECIDES else
        f"an item's length does not decide its score here (correlation of length and mean "
        f"score {fmt(length)}; {other}'s {fmt(length_s)})")))
    claims.append(Claim(shared_holds, (
        f"{'so ' if length_decides else ''}queries of different groups get the same items: "
        f"two of them share "
        f"**{percent(shared)}** of their top {k} ({other}: {percent(shared_s)})" if shared_holds
        else
        f"two queries of different groups share {percent(shared)} of their top {k} ({other}: "
        f"{percent(shared_s)})")))
    return claims


GOOD_INSIDE = 0.1  # within-group recall at most this far below the other's counts as good inside


def lowest_recall(label: str, results: dict, refs: References) -> Claim:
    """Is ``label``'s within-group recall the lowest of the runs ``results``
    (label -> result) shown beside it? Near theirs, it ranks nearly as well as
    they do, unless it ranks at chance (verdicts.recall_at_chance): then that
    is said, of it or of every run, wherever it is not the lowest by far (a
    review's /?seed=512&learning_rate=2&dim=2: 0.22 beside 0.26 and 0.26,
    "nearly as well as they do", all about a random ranking's 0.25)."""
    recall = {name: r.final_metrics["within_group_recall_at_k"] for name, r in results.items()}
    k = results[label].config.k
    lowest = min((name for name in recall if name != label), key=recall.get)
    mine, lowest_other = recall[label], recall[lowest]
    # A tie shown as a tie: 0.334 and 0.339, not 0.33 and 0.34 "less than 0.01
    # apart"; and then every run's to three (0.435 and 0.435, not 0.435 and 0.44).
    values = recall.values()
    show = ("{:.3f}".format if any(close_pair(a, b) != (fmt(a), fmt(b))
                                   for a in values for b in values) else fmt)
    shown = {name: show(value) for name, value in recall.items()}
    others = ", ".join(f"{name} {shown[name]}" for name in recall if name != label)
    below = difference(lowest_other, mine)  # 0.69 - 0.68 is 0.01, not 0.00999…
    at_chance = {name for name, r in results.items() if recall_at_chance(r.final_metrics, refs)}
    # "About": at chance is up to CHANCE of the way to the oracle's, 0.32 beside 0.25.
    chance = ("" if label not in at_chance else
              f" Every run here ranks inside a group only about as well as a random ranking "
              f"({fmt(refs.random[RECALL])})." if at_chance == set(recall) else
              f" It ranks inside a group only about as well as a random ranking "
              f"({fmt(refs.random[RECALL])}).")
    if below > GOOD_INSIDE:
        return Claim(True, f"Its within-group recall@{k}, **{shown[label]}**, is the lowest "
                           f"of the runs here ({others}): it does not even rank well inside a "
                           "group.")
    if below >= SAME_RECALL:
        return Claim(False, f"Its within-group recall@{k}, {shown[label]}, is the lowest of the "
                            f"runs here ({others}), but by no more than {GOOD_INSIDE:g}"
                            + (f".{chance}" if chance else
                               ": it ranks inside a group nearly as well as they do."))
    if not apart(mine, lowest_other):
        return Claim(False, f"Its within-group recall@{k}, {shown[label]}, ties for the lowest of "
                            f"the runs here ({others}): less than {SAME_RECALL:g} apart.{chance}")
    return Claim(False, f"Its within-group recall@{k}, {shown[label]}, is not the lowest "
                        f"of the runs here ({others}).{chance}")


def good_inside(label: str, result, other_label: str, other, refs: References) -> Claim:
    """Is ``result``'s within-group recall at least about ``other``'s, and
    better than a random ranking's (verdicts.recall_at_chance)? Not "better
    than uniform's" of two runs that both rank at chance (a review's link,
    /?learning_rate=0.0001)."""
    mine = result.final_metrics["within_group_recall_at_k"]
    theirs = other.final_metrics["within_group_recall_at_k"]
    k = result.config.k
    if recall_at_chance(result.final_metrics, refs):
        shown = close_pair(mine, refs.random["within_group_recall_at_k"])
        return Claim(False, f"Its within-group recall@{k}, {shown[0]}, is about a random "
                            f"ranking's {shown[1]} here: it does not rank well inside a group "
                            f"({other_label}'s {fmt(theirs)}).")
    if difference(theirs, mine) <= GOOD_INSIDE:
        # 0.01 or more apart it is better, or nearly as good (0.28 against 0.33).
        than = ("as good as" if not apart(mine, theirs) else
                "better than" if mine > theirs else "nearly as good as")
        shown = close_pair(mine, theirs)
        return Claim(True, f"Its within-group recall@{k} is **{shown[0]}**, {than} "
                           f"{other_label}'s {shown[1]}.")
    return Claim(False, f"Its within-group recall@{k}, {fmt(mine)}, is below {other_label}'s "
                        f"{fmt(theirs)} here.")


def auc_below_half(label: str, result) -> Claim:
    auc = result.final_metrics["cross_group_auc"]
    if round(auc, 2) < 0.5:  # as shown: 0.4999 is 0.50, not below 0.5
        return Claim(True, f"Its cross-group AUC, **{fmt(auc)}**, is even below 0.5: every "
                           "own-group item but the query's positives can be drawn and pushed "
                           "down for that query, and other groups' items never are: that is how "
                           "an average own-group item can rank *below* an average other-group "
                           "item.")
    if fmt(auc) == "0.50" and round(auc, 3) != 0.5:  # 0.496: below, but not as shown
        return Claim(False, f"Its cross-group AUC is {auc:.3f} here: about 0.5, not clearly "
                            "below it.")
    return Claim(False, f"Its cross-group AUC is {fmt(auc)} here, not below 0.5.")


# Gravity ---------------------------------------------------------------------

HALVES = 0.5  # gravity unfolds positives-only if it at least halves its spurious@k


def gravity_claim(*, plain, with_gravity, refs: References) -> Claim:
    """What gravity did to positives-only (``plain``: the same run without it)."""
    before = plain.final_metrics["spurious_at_k"]
    after = with_gravity.final_metrics["spurious_at_k"]
    weight = f"gravity {with_gravity.config.gravity:g}"
    k = refs.k
    if room := no_room(refs):  # every run's spurious@k is the same: nothing to halve
        return Claim(False, f"With {weight}, spurious@{k} went from {fmt(before)} (no gravity, "
                            f"same data and seed) to {fmt(after)}. {room}")
    found = verdict(with_gravity.final_metrics, refs)
    # Halving a spurious@k that was already at the data's own says nothing (0.00 to 0.00).
    if verdict(plain.final_metrics, refs) == SEPARATES:
        return Claim(False, f"With {weight}, spurious@{k} went from {fmt(before)} (no gravity, "
                            f"same data and seed) to {fmt(after)}, but positives-only separates "
                            f"the groups here even without gravity: there was no folding for "
                            f"gravity to undo. With it, the run {VERDICT_WORDS[found]}.")
    def halves(a, b):
        return difference(b, HALVES * a) <= 0

    halved = halves(before, after)
    # Three decimals where two read the other way (0.82 to 0.41, of 0.820 to 0.412: not halved).
    shown = ((fmt(before), fmt(after)) if halved == halves(round(before, 2), round(after, 2))
             else (f"{before:.3f}", f"{after:.3f}"))
    if halved:
        return Claim(True, f"With {weight}, spurious@{k} went from **{shown[0]}** (no gravity, "
                           f"same data and seed) to **{shown[1]}**: at least halved, and the run "
                           f"{VERDICT_WORDS[found]}.")
    return Claim(False, f"With {weight}, spurious@{k} went from {shown[0]} (no gravity, same "
                        f"data and seed) to {shown[1]}: not halved, and the run "
                        f"{VERDICT_WORDS[found]}.")
