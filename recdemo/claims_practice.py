"""The claims of the lessons practitioners meet (claims.py has the course's):
a switch mid-run, the logQ correction of in-batch and popularity negatives,
where each strategy's negatives came from, and evaluation against sampled
negatives. Each returns a Claim computed from the runs on screen.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import kendalltau

from recdemo.claims import (
    SAME_RECALL,
    VERDICT_WORDS,
    Claim,
    apart,
    close_pair,
    named,
    no_room,
    no_room_where,
    numbers,
    reads_as_it_is,
)
from recdemo.negatives import group_matrix, per_item
from recdemo.references import References
from recdemo.verdicts import (
    FOLDS,
    NEITHER,
    RECALL,
    SAME_DIGITS,
    SEPARATES,
    recall_at_chance,
    verdict,
)
from recdemo.wording import fmt, listed, percent, quantity

# The verdicts from worst to best: a switch that moves a run up this list undid folding.
ORDER = (FOLDS, NEITHER, SEPARATES)


def switch_claim(label: str, result, refs: References, unswitched=None,
                 why_not: str = "") -> Claim:
    """A run that switched mid-run: what it did before the switch and at the
    end, from the same parameters, and what ``unswitched`` (the same run
    without the switch: as many epochs, all of the first strategy) did. The
    switch is credited only against that run: the later epochs alone can make
    a run better. Holds when the switch made the verdict better than the
    run without it (a switch can also make a run fold: then it says so).
    ``why_not``: why ``unswitched`` is None, in a few words ("it diverged")."""
    config = result.config
    at, last = config.switch_at, len(result.metrics) - 1
    before, after = result.metrics[at], result.final_metrics
    was, became = verdict(before, refs), verdict(after, refs)
    k = refs.k

    def state(metrics):  # with the rule's references where two decimals would mislead
        if not reads_as_it_is(metrics, refs):
            return numbers(metrics, refs)
        return (f"spurious@{k} {fmt(metrics['spurious_at_k'])}, cross-group AUC "
                f"{fmt(metrics['cross_group_auc'])}")

    def training(strategy, gravity, epochs):  # "7 epochs of uniform with gravity 1"
        return (f"{quantity(epochs, 'epoch')} of {strategy}"
                + (f" with gravity {gravity:g}" if gravity else ""))

    room = no_room(refs)  # then no verdict, before or after

    def judged(verdict_found):
        return "" if room else f": it {VERDICT_WORDS[verdict_found]}"

    text = (f"After {training(config.strategy, config.gravity, at)}, {state(before)}"
            f"{judged(was)}. Then {training(config.switch_to, config.switch_gravity, last - at)}"
            f", from the same parameters and optimizer state: {state(after)}"
            + (f". {room}" if room else f"; it {VERDICT_WORDS[became]}."))
    if (config.switch_to, config.switch_gravity) == (config.strategy, config.gravity):
        return Claim(False, text + " The switch changed nothing the loss sees: the same "
                                   "strategy and gravity before and after it, so this is one "
                                   f"run of {quantity(last, 'epoch')}.")
    if room:
        return Claim(False, text)
    if unswitched is None:  # it did not train: before and after only, and no cause
        change = ("better" if ORDER.index(became) > ORDER.index(was) else
                  "worse" if became != was else "")
        return Claim(False, text + (f" It ends {change} than it was at the switch; the same "
                                    "run without the switch did not train"
                                    + (f" ({why_not})" if why_not else "") + ", so this does "
                                    "not say whether the switch or the later epochs did it."
                                    if change else ""))
    plain = verdict(unswitched.final_metrics, refs)
    text += (f" The same run without the switch "
             f"({training(config.strategy, config.gravity, last)}) ends at "
             f"{state(unswitched.final_metrics)}; it {VERDICT_WORDS[plain]}.")
    if ORDER.index(became) > ORDER.index(plain):
        return Claim(True, text + " What the loss saw decided it, not the data, which stayed "
                                  "the same.")
    if became != plain:
        # The switch by what it changed: a gravity-only switch keeps the strategy.
        return Claim(False, text + f" Here the switch ({config.switch_text()}) made the run "
                                   "worse than training on without it.")
    return Claim(False, text + " The switch did not change the verdict"
                 + (": the later epochs did." if became != was else "."))


def logq_claim(label: str, corrected, uncorrected, refs: References) -> Claim:
    """The same run with and without the logQ correction: does it rank better
    inside a group with it? (Without it, popular items are pushed down as
    often as they are drawn.)"""
    k = refs.k
    with_q = corrected.final_metrics["within_group_recall_at_k"]
    without = uncorrected.final_metrics["within_group_recall_at_k"]
    holds = with_q > without and apart(with_q, without)
    effect = ("helps" if holds else "makes it worse" if apart(with_q, without)
              else f"changes it by less than {SAME_RECALL:g}")
    shown = close_pair(with_q, without)
    return Claim(holds, f"With the logQ correction {named(label)}'s within-group recall@{k} is "
                        f"**{shown[0]}**; without it, {shown[1]} (same data and seed): "
                        f"the correction {effect} here.")


def negatives_claims(label: str, result, dataset) -> list[Claim]:
    """Where the run's negatives came from (the whole run, recdemo/negatives.py):
    the share from other groups, and for in-batch and mixed (a run of one or
    both) what happened to the items no training query chose."""
    full = result.config.strategy == "full"
    table = result.pushed_down if full else result.negatives_seen
    what = "push (softmax weight)" if full else "negatives"
    if table is None:
        return []
    total = table.sum(axis=0)  # (G, n) over every epoch
    if total.sum() == 0:  # positives-only, or in-group where a group's items are all positives
        config = result.config
        strategies = set(config.strategies())
        gravity = config.gravity or (config.switch_at and config.switch_gravity)
        why = ("positives-only scores only its query's positives"
               + ("; gravity pulls every score toward zero, whatever its group" if gravity
                  else ", and nothing pushed any item down")
               if strategies == {"positives-only"} else
               "every item it scored in training was one of its query's positives")
        return [Claim(True, f"{named(label)} drew no negatives: {why}.")]
    matrix = group_matrix(total, dataset.item_groups)
    other = 1.0 - np.trace(matrix) / matrix.sum()
    claims = [Claim(True, f"{percent(other)} of {named(label)}'s {what} came from other groups' "
                          "items" + (": none at all" if other == 0 else "") + ".")]
    config = result.config
    strategies = set(config.strategies())
    if strategies <= {"in-batch", "mixed"}:  # a switch to others' negatives: not theirs alone
        unchosen = dataset.item_popularity == 0
        times = per_item(result.negatives_seen)[unchosen]
        items, drawn = int(unchosen.sum()), int(times.sum())
        if items:
            subject = ("The item no training query chose was" if items == 1 else
                       f"The {items} items no training query chose were")
            negative = "a negative" if items == 1 else "negatives"
            claims.append(Claim(drawn == 0 or "mixed" in strategies, (
                f"{subject} never {negative}: in-batch draws only other queries' positives."
                if drawn == 0 else
                f"{subject} {negative} {quantity(drawn, 'time')}, "
                + ("a uniform draw." if drawn == 1 else "all of them uniform draws."))))
    return claims


def protocol_claims(protocols: dict, metrics: dict, refs: References) -> list[Claim]:
    """Evaluation against sampled negatives beside the exact metrics, for the
    runs of one page (label -> protocol_metrics, label -> final metrics): where
    in-group ranks under each, and whether a sampled protocol orders the
    strategies as the exact one does. A metric a page leaves out (missing) or
    that no run could be measured on (NaN: no negatives to draw) is not read."""
    labels, k = list(protocols), refs.k

    def values(metric):
        # Rounded: two means of the same hits can differ in their last bits (the
        # order of the sum); they tie.
        found = [round(protocols[name].get(metric, np.nan), SAME_DIGITS) for name in labels]
        return None if np.isnan(found).any() else found

    # A place counts only the runs SAME_RECALL or more above (as _best names
    # the best): 0.683 does not rank above 0.681, which the table shows alike.
    def rank(metric, label):  # 1 + how many rank clearly above it
        mine = values(metric)[labels.index(label)]
        return 1 + sum(v > mine and apart(v, mine) for v in values(metric))

    def place(metric, label, of=""):
        # "2nd", "1st of 8, tied with 3", "3rd, less than 0.01 from 1 other"
        mine = values(metric)[labels.index(label)]
        near = [v for v in values(metric) if not apart(v, mine)]
        others = len(near) - 1
        return _ordinal(rank(metric, label)) + of + (
            "" if not others else f", tied with {others}" if set(near) == {mine}
            else f", less than {SAME_RECALL:g} from {quantity(others, 'other')}")

    claims = []
    ranked = ("own_group_sampled_recall_at_k", "sampled_recall_at_k", "recall_at_k")
    if "in-group" in protocols and all(values(metric) for metric in ranked):
        spurious = metrics["in-group"]["spurious_at_k"]
        folds = verdict(metrics["in-group"], refs) == FOLDS
        # The lesson: drawn from the own group, the negatives rank a folded
        # in-group higher than ranking against every item does.
        # Not where it ranks no better than chance inside its group either (a
        # review's link, /compare?learning_rate=0.0001: every run at the
        # protocol's chance, five tied first): nothing good was there to show.
        blind = folds and recall_at_chance(metrics["in-group"], refs)
        hidden = (folds and not blind
                  and rank(ranked[0], "in-group") < rank(ranked[2], "in-group"))
        claims.append(Claim(hidden, (
            f"Against 100 negatives from the query's own group, in-group's recall@{k} ranks "
            f"**{place(ranked[0], 'in-group', f' of {len(labels)}')}**; against 100 from the "
            f"whole corpus {place(ranked[1], 'in-group')}, and ranked against every item "
            f"{place(ranked[2], 'in-group')}. Its spurious@{k} is {fmt(spurious)}"
            + (": a sampled protocol that draws from the query's own group cannot see folding."
               if hidden else
               f": it folds, and inside its group it ranks no better than chance either "
               f"(within-group recall@{k} {fmt(metrics['in-group'][RECALL])} against a random "
               f"ranking's {fmt(refs.random[RECALL])}), so no protocol has anything to hide."
               if blind else
               ": it folds, but the protocol that draws from the query's own group ranks it no "
               "higher than ranking against every item does." if folds else
               f", and {no_room_where(refs)} no run can fold or separate." if no_room(refs)
               else ", and here it does not fold."))))
    for metric, exact, words, exactly in (
            ("sampled_recall_at_k", "recall_at_k", "the whole corpus",
             "against every item"),
            ("own_group_sampled_recall_at_k", "within_group_recall_at_k",
             "the query's own group", "against every item of the own group")):
        sampled, truth = values(metric), values(exact)
        if sampled is None or truth is None or len(labels) < 2:  # no order to compare
            continue
        (top_sampled, best_sampled), (top_exact, best_exact) = (_best(labels, sampled),
                                                                _best(labels, truth))
        if len(set(truth)) == 1 or len(set(sampled)) == 1:  # an order of nothing
            claims.append(Claim(False, (
                f"Sampled from {words}, {best_sampled}; ranked {exactly}, {best_exact} "
                "(Kendall's tau is undefined: one of the two orders ties every strategy).")))
            continue
        tau = kendalltau(sampled, truth).statistic
        same = top_sampled == top_exact
        claims.append(Claim(same, (
            f"Sampled from {words}, {best_sampled}"
            + (f", as ranked {exactly}" if same else f"; ranked {exactly}, {best_exact}")
            + f" (Kendall's tau between the two orders {tau:.2f}).")))
    return claims


def _best(labels: list, values: list) -> tuple[set, str]:
    """The labels within SAME_RECALL of the highest value (on a page's few
    hundred test queries a smaller difference says nothing of a protocol), and
    in words, best first: "the best is uniform", "the best is full and hard,
    tied", "the best is in-group, full and in-batch, less than 0.01 apart",
    "every strategy ties", "all 8 strategies are less than 0.01 apart" (no
    parenthesis: one would sit beside Kendall's)."""
    top = [i for i in sorted(range(len(values)), key=lambda i: -values[i])  # ties: page order
           if not apart(max(values), values[i])]
    names = [labels[i] for i in top]
    tied = values[top[0]] == values[top[-1]]
    if len(names) == len(labels) > 1:
        return set(names), ("every strategy ties" if tied else
                            f"all {len(names)} strategies are less than {SAME_RECALL:g} apart")
    if len(names) == 1:
        return set(names), f"the best is {names[0]}"
    return set(names), f"the best is {listed(names)}" + (", tied" if tied else
                                                         f", less than {SAME_RECALL:g} apart")


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"
