"""Every sentence a page says about an outcome, computed from the runs it describes.

A claim looks at measured results and returns a ``Claim``: whether what the
lesson says held on these runs, and the sentence to show, with its numbers,
either the lesson's sentence or the one that says what happened instead (and,
for a verdict, why, as far as the sweep of where_it_holds.py can tell). The
pages show ``claim.text`` and never decide an outcome themselves, so a
sentence stays true on every link a student can open. Text that describes no
outcome (a formula, a definition) stays fixed on the pages.

Each claim's threshold is written next to it, and tests/test_claims.py
recomputes every one independently on runs across seeds and settings.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from recdemo import where_it_holds
from recdemo.metrics import (
    METRICS,
)
from recdemo.references import References
from recdemo.verdicts import (
    BEYOND_MARGIN,
    FOLDS,
    NEITHER,
    SEPARATES,
    at_chance,
    beyond_the_data,
    difference,
    excess_spurious,
    expected,
    fewer_spurious_than_the_data,
    higher_auc_than_the_data,
    kept_separation,
    verdict,
)
from recdemo.wording import fmt, listed, percent, significant

VERDICT_WORDS = {FOLDS: "folds", SEPARATES: "separates the groups",
                 NEITHER: "neither folds nor separates the groups"}
NOT_WORDS = {FOLDS: "does not fold", SEPARATES: "does not separate the groups"}


@dataclass(frozen=True)
class Claim:
    holds: bool  # did the runs do what the lesson says?
    text: str  # markdown: the lesson's sentence, or what happened instead, with the numbers


# A difference in within-group recall smaller than this is no difference: it
# is under the two decimals shown (a larger one always shows in them; a smaller
# one can, 0.819 and 0.828 as 0.82 and 0.83: close_pair shows those to three).
SAME_RECALL = 0.01


def apart(a: float, b: float) -> bool:
    """Whether two recalls differ by SAME_RECALL or more: the difference
    rounded (verdicts.difference), so that 0.69 - 0.68 (0.00999… in floats) is
    0.01 apart, as 0.68 - 0.67 (0.01000…9) is, and neither reads "less than 0.01"."""
    return abs(difference(a, b)) >= SAME_RECALL


def close_pair(a: float, b: float) -> tuple[str, str]:
    """Two numbers as a sentence shows them: to two decimals, or to three where
    two would read otherwise than the sentence says: apart where they are
    less than SAME_RECALL apart (0.819 and 0.828 as 0.82 and 0.83, "no
    different"), or alike where they are that much apart (0.125 and 0.115,
    both 0.12, "the correction helps")."""
    if apart(a, b) != (fmt(a) != fmt(b)):
        return f"{a:.3f}", f"{b:.3f}"
    return fmt(a), fmt(b)


def against_the_data(value: float, own: float, past: bool, sign: int) -> str:
    """"0.94 against the data's own 0.92", to three decimals where two would
    read the other way than ``past`` (past the data's own by more than
    BEYOND_MARGIN, in the direction ``sign``: -1 for fewer spurious, +1 for a
    higher AUC), as 0.938 against 0.921, not past, would read 0.94 against
    0.92. Two decimals 0.02 apart read as past: a run past by 0.0202 would
    read the same to three (0.941 against 0.921), and one not past is shown
    to three, where it is not (0.120 against 0.140: "by no more than")."""
    looks_past = sign * difference(round(value, 2), round(own, 2)) >= BEYOND_MARGIN
    shown = (f"{value:.3f}", f"{own:.3f}") if looks_past != past else (fmt(value), fmt(own))
    # On the far side of the data's own, but not by the margin: say so (0.14 against 0.15).
    short = (f": {'fewer' if sign < 0 else 'higher'}, but by no more than {BEYOND_MARGIN:g}"
             if not past and sign * difference(value, own) > 0 else "")
    return f"{shown[0]} against the data's own {shown[1]}{short}"


def numbers(metrics: dict, refs: References) -> str:
    """A run's two separation numbers beside the data's own and chance's: to
    two decimals, or to three where the rule read on two-decimal numbers
    would give another verdict than the exact ones do (0.42, 0.28 and 0.83
    put a run 0.255 of the way, past separating's 0.25; it is 0.248)."""
    show = shown_as(metrics, refs)
    return (f"spurious@{refs.k} {show(metrics['spurious_at_k'])} against the data's own "
            f"{show(refs.oracle['spurious_at_k'])} and a random ranking's "
            f"{show(refs.random['spurious_at_k'])}; cross-group AUC "
            f"{show(metrics['cross_group_auc'])} against the data's own "
            f"{show(refs.oracle['cross_group_auc'])}")


def shown_as(metrics: dict, refs: References):
    """How a sentence writes the numbers the verdict rule reads of ``metrics``
    and ``refs``: ``fmt``'s two decimals, or three where the rule read on
    two-decimal numbers would give another verdict than the exact ones do."""
    return fmt if reads_as_it_is(metrics, refs) else "{:.3f}".format


def reads_as_it_is(metrics: dict, refs: References) -> bool:
    """Does the verdict rule give the same verdict on the numbers rounded to
    two decimals, as a student reads them, as on the exact ones?"""
    def shown(values):
        return {name: round(value, 2) if isinstance(value, float) else value
                for name, value in values.items()}
    rounded = replace(refs, oracle=shown(refs.oracle), random=shown(refs.random))
    return verdict(shown(metrics), rounded) == verdict(metrics, refs)


def named(label: str) -> str:
    """A run label as a sentence's subject: "positives-only (gravity 1)"."""
    strategy, _, settings = label.partition(", ")
    return f"{strategy} ({settings})" if settings else strategy


def verdict_claim(label: str, result, refs: References, settings: dict) -> Claim:
    """The run's verdict, against what the lesson expects of its strategy
    (verdicts.expected): "uniform separates the groups, as the lesson says" or
    "Here positives-only does not fold: it neither folds nor separates ...",
    with the reasons the sweep knows. ``settings``: run_settings of the run."""
    metrics, label = result.final_metrics, named(label)
    found, wanted = verdict(metrics, refs), expected(result.config)
    if room := no_room(refs):  # not "in between", nor "does not fold": no verdict is possible
        return Claim(wanted is None, f"**{label}: no verdict {no_room_where(refs)}**: "
                                     f"{numbers(metrics, refs)}. {room}")
    chance = _at_chance(metrics, refs)
    if wanted is None:
        return Claim(True, f"**{label}** {VERDICT_WORDS[found]}: {numbers(metrics, refs)}"
                           f"{chance}.")
    if found == wanted and (none := drew_no_negatives(result)):
        # The lesson's reason (its negatives) is not there: not "as the lesson says".
        return Claim(False, f"**{label}** {VERDICT_WORDS[found]}: {numbers(metrics, refs)}"
                            f"{chance}. {none}")
    if found == wanted:
        return Claim(True, f"**{label}** {VERDICT_WORDS[found]}, as the lesson says: "
                           f"{numbers(metrics, refs)}{chance}.")
    why = " ".join(where_it_holds.reasons(result.config.strategy, wanted, settings))
    what = "it is in between" if found == NEITHER else f"it {VERDICT_WORDS[found]}"
    return Claim(False, f"**Here {label} {NOT_WORDS[wanted]}**: {what}; "
                        f"{numbers(metrics, refs)}{chance}. {why}")


def _at_chance(metrics: dict, refs: References) -> str:
    """"; no better than a random ranking on any number (...)" for a run at
    chance (verdicts.at_chance), "" otherwise."""
    if not at_chance(metrics, refs):
        return ""
    recall = "within_group_recall_at_k"
    return (f"; no better than a random ranking on any number (within-group recall@{refs.k} "
            f"{fmt(metrics[recall])} against its {fmt(refs.random[recall])}): it ranks no "
            "better than chance, inside a group or across")


def drew_no_negatives(result) -> str:
    """Why a sampling strategy's run drew no negatives ("" if it drew some,
    or is positives-only or the full softmax): each one it drew was one of its
    query's positives, and masked; and what its loss did without them. Of a
    switched run, the strategy it switched to (what the lesson expects of it)
    in the epochs after the switch."""
    config, seen = result.config, getattr(result, "negatives_seen", None)
    switched = getattr(config, "switch_at", 0)
    strategy, gravity = ((config.switch_to, config.switch_gravity) if switched
                         else (config.strategy, config.gravity))
    if seen is None or strategy in ("positives-only", "full") or seen[switched:].sum():
        return ""
    # Not "as positives-only": its softmax over the positives alone is not a sigmoid
    # on each (a review's link: in-group at AUC 0.50 beside positives-only's 0.63).
    return (f"It drew no negatives here: every item {strategy} could draw for a query was "
            f"one of its positives, so {strategy}'s softmax ran over those positives alone: "
            "its loss only evened out their scores, and pushed no item up or down as a whole "
            + ("(gravity pulled every score toward zero; " if gravity else "(")
            + "positives-only's sigmoid pushes each positive up).")


def no_room(refs: References) -> str | None:
    """Why no run can fold or separate, if none can: the cut-off k (each
    ranking's top k is the whole corpus, or must reach so far past the own
    group's items that the data's own spurious@k is nearly a random
    ranking's, though the data separates its groups), or the data (its own
    spurious@k as high as a random ranking's, or its own AUC at chance: a
    leak near chance)."""
    k, oracle, chance = refs.k, refs.oracle, refs.random
    items, by_k = refs.groups * refs.items_per_group, _k_leaves_no_room(refs)
    if by_k and k >= items:
        # Not "on this data": the data can still separate its groups (a review's
        # link, k 20 of 20 items, where the data's own AUC was 0.93).
        return (f"At k = {k} no run can fold or separate: with {items} items in all, every "
                f"ranking's top {k} is the whole corpus, so every spurious@{k} is "
                f"{fmt(chance['spurious_at_k'])}, the data's own included. A verdict needs k "
                f"below {items}.")
    if by_k:
        return (f"At k = {k} no run can fold or separate: a top {k} must reach past the "
                f"{refs.items_per_group} items of the query's own group, so the data's own "
                f"spurious@{k}, {fmt(oracle['spurious_at_k'])}, is nearly as high as a random "
                f"ranking's, {fmt(chance['spurious_at_k'])}, though the data separates its "
                f"groups (its cross-group AUC {fmt(oracle['cross_group_auc'])}). A verdict "
                "needs a smaller k.")
    if excess_spurious(oracle, refs) is None:
        return (f"On this data no run can fold or separate: the data's own spurious@{k}, "
                f"{fmt(oracle['spurious_at_k'])}, is as high as a random ranking's, "
                f"{fmt(chance['spurious_at_k'])}.")
    if kept_separation(oracle, refs) is None:
        return (f"On this data no run can fold or separate: the data's own cross-group AUC, "
                f"{fmt(oracle['cross_group_auc'])}, is at chance.")
    return None


def no_room_where(refs: References) -> str:
    """Where no_room's reason lies, for a sentence's "no verdict ...": "at k =
    20" where k is why, "on this data" otherwise."""
    return f"at k = {refs.k}" if _k_leaves_no_room(refs) else "on this data"


def _k_leaves_no_room(refs: References) -> bool:
    """Is the cut-off k why the data's own spurious@k is as high as a random
    ranking's: k at least every item, or past the own group's items where
    the data still separates its groups (a review: k 19 of 20 items, the
    data's own AUC 0.90)?"""
    if excess_spurious(refs.oracle, refs) is not None:
        return False
    return refs.k >= refs.groups * refs.items_per_group or (
        refs.k > refs.items_per_group and kept_separation(refs.oracle, refs) is not None)


def beyond_claim(label: str, metrics: dict, refs: References) -> Claim | None:
    """When a run goes past the data on spurious@k or cross-group AUC, what
    that means; None otherwise. (Not the verdict's "separates": a run past
    the data on one number can still fall short on the other.)"""
    if not beyond_the_data(metrics, refs):
        return None
    # The reason first: after "not on spurious@k (...)" it read as that number's.
    # (Each page says beside it that the oracle is the data's own share, not a limit.)
    return Claim(True, f"{named(label)} ranks below the query's own group some items the data "
                       f"makes more likely for it: it {_past_the_data(metrics, refs)}.")


def _past_the_data(metrics: dict, refs: References) -> str:
    """Which of a run's two numbers go past the data's own, and where the
    other stands: "goes past the data on cross-group AUC (0.70 against the
    data's own 0.67), not on spurious@3 (0.25 against the data's own 0.02)"."""
    k, oracle = refs.k, refs.oracle
    fewer, higher = (fewer_spurious_than_the_data(metrics, refs),
                     higher_auc_than_the_data(metrics, refs))
    spurious = against_the_data(metrics["spurious_at_k"], oracle["spurious_at_k"], fewer, -1)
    auc = against_the_data(metrics["cross_group_auc"], oracle["cross_group_auc"], higher, +1)
    if fewer and higher:
        return f"goes past the data on both numbers (spurious@{k} {spurious}; AUC {auc})"
    if fewer:
        return f"goes past the data on spurious@{k} ({spurious}), not on cross-group AUC ({auc})"
    return f"goes past the data on cross-group AUC ({auc}), not on spurious@{k} ({spurious})"


def beyond_summary(runs: dict, refs: References) -> Claim | None:
    """Which of ``runs`` (label -> final metrics) go past the data on
    spurious@k or cross-group AUC, the runs that go past it alike named
    together (the page's table has each run's numbers; a review found the same
    clause six times), and the numbers that need more than the table's two
    decimals, or are past the data's own by no more than the margin; None if no
    run goes past it."""
    k, oracle = refs.k, refs.oracle
    alike: dict[tuple, list] = {}
    close_calls = []
    for label, metrics in runs.items():
        if not beyond_the_data(metrics, refs):
            continue
        past = (fewer_spurious_than_the_data(metrics, refs),
                higher_auc_than_the_data(metrics, refs))
        alike.setdefault(past, []).append(named(label))
        for (name, said), is_past, sign in zip(
                ((f"spurious@{k}", "spurious_at_k"), ("cross-group AUC", "cross_group_auc")),
                past, (-1, +1), strict=True):
            shown = against_the_data(metrics[said], oracle[said], is_past, sign)
            if shown != f"{fmt(metrics[said])} against the data's own {fmt(oracle[said])}":
                close_calls.append(f"{named(label)}'s {name} is {shown}")
    if not alike:
        return None
    which = {(True, True): "both numbers", (True, False): f"spurious@{k}, not on cross-group AUC",
             (False, True): f"cross-group AUC, not on spurious@{k}"}
    groups = [f"{listed(names)} {'goes' if len(names) == 1 else 'go'} past the data on "
              f"{which[past]}" for past, names in alike.items()]
    return Claim(True, "; ".join(groups) + f" (the data's own spurious@{k} is "
                       f"{fmt(oracle['spurious_at_k'])}, its cross-group AUC "
                       f"{fmt(oracle['cross_group_auc'])}; each run's are in the table"
                       + "".join(f"; {close}" for close in close_calls) + ")."
                       + " On these two numbers the oracle is the data's own share, not a "
                       "limit: going past it, a model ranks below the query's own group some "
                       "items the data makes more likely for it.")


def losses_left_out(strategies: list[str]) -> str:
    """Why a table of several runs gives no training loss: each run's is over
    its own candidates, and of its own kind where positives-only or wals is
    among ``strategies`` (a review: the CLI's note named positives-only's loss
    where it was not run)."""
    kinds = [kind for strategy, kind in (("positives-only", "positives-only's a sigmoid loss"),
                                         ("wals", "wals's a squared error"))
             if strategy in strategies]
    return ("The training losses are left out: each run's is over its own candidates"
            + (f" ({' and '.join(kinds)})" if kinds else "")
            + ", so they measure different things.")


def metric_caveats(k: int, data) -> list[str]:
    """The metrics that mean little at this cut-off on ``data`` (a DataConfig,
    or References: its items_per_group, groups and positives), and why."""
    items_per_group, groups, positives = data.items_per_group, data.groups, data.positives
    notes = []
    if items_per_group <= k:
        notes.append(f"Within-group recall@{k} is left out: a group has only {items_per_group} "
                     f"items, no more than k = {k}, so any ranking finds all of a query's "
                     "own-group positives in its top k and scores 1.")
    elif positives >= items_per_group:
        notes.append(f"Within-group recall@{k} is left out: with {positives} positives a query "
                     f"and {items_per_group} items a group, a group's items are all (or all but "
                     "a leaked few) positives of each of its queries, so every ranking scores "
                     "about the same.")
    n_items = groups * items_per_group
    if k >= n_items:
        notes.append(f"With k = {k}, at least the {n_items} items in all, every ranking "
                     f"recommends every item: spurious@{k} is {fmt(1 - 1 / groups)} (the other "
                     "groups' share of the items) for any model, and tells none apart.")
    elif k > items_per_group:
        others = k - items_per_group  # a count: a rounded share would overstate the floor
        notes.append(f"With k = {k} above the {items_per_group} items of a group, at least "
                     f"{others} of any top {k} {'is' if others == 1 else 'are'} from other "
                     "groups: "
                     f"read spurious@{k} against the data's own share, not against 0.")
    return notes


def meaningful_metrics(k: int, data) -> tuple[str, ...]:
    """The metrics a page shows of runs at cut-off ``k`` on ``data``: all but
    within-group recall where it cannot tell rankings apart."""
    return tuple(name for name in METRICS
                 if name != "within_group_recall_at_k" or recall_is_meaningful(k, data))


def recall_is_meaningful(k: int, data) -> bool:
    """Can within-group recall@k tell rankings apart on ``data`` (as
    metric_caveats)? Not where k covers a group, nor where a group's items are
    all positives of its queries."""
    return data.items_per_group > k and data.items_per_group > data.positives


# The cost of a step (Why sample?) ------------------------------------------------

def step_cost_claims(costs) -> list[Claim]:
    """What the measured table (step_cost.StepCost per strategy and corpus
    size) says about growth: for each strategy, how many times longer its step
    took at the largest corpus than at the smallest, set against how many times
    more items (a change inside the spread of the repeats is no change), and how
    many uniform steps a full one costs at the largest size."""
    by_strategy: dict[str, list] = {}
    for cost in costs:
        by_strategy.setdefault(cost.strategy, []).append(cost)
    claims = []
    for strategy, cells in by_strategy.items():
        if len(cells) < 2:
            continue
        small, large = min(cells, key=lambda c: c.n_items), max(cells, key=lambda c: c.n_items)
        ratio, more = large.cpu_seconds / small.cpu_seconds, large.n_items / small.n_items
        apart = large.cpu_low > small.cpu_high or large.cpu_high < small.cpu_low
        trend = (f"{significant(ratio)} times as long for {more:,.0f} times the items" if apart else
                 "no change beyond the spread of the repeats, for "
                 f"{more:,.0f} times the items")
        claims.append(Claim(apart, f"**{strategy}**: {_ms(small)} at {small.n_items:,} items, "
                                   f"{_ms(large)} at {large.n_items:,}: {trend}."))
    full = {c.n_items: c for c in by_strategy.get("full", [])}
    uniform = {c.n_items: c for c in by_strategy.get("uniform", [])}
    both = sorted(full.keys() & uniform.keys())
    if both:
        n = both[-1]
        # To one decimal, as the table's "× uniform" (8.6 read "9" beside it).
        claims.append(Claim(True, f"At {n:,} items one full-softmax step costs "
                                  f"{full[n].cpu_seconds / uniform[n].cpu_seconds:,.1f} uniform "
                                  "steps (medians)."))
    return claims


def _ms(cost) -> str:
    """A cell's CPU time: its median and the spread of its repeats."""
    return (f"{significant(1e3 * cost.cpu_seconds)} ms ({significant(1e3 * cost.cpu_low)} to "
            f"{significant(1e3 * cost.cpu_high)})")


# The data's references --------------------------------------------------------

def references_text(refs: References) -> str:
    """What the two references score here, in words."""
    k, oracle = refs.k, refs.oracle
    recall = (f", within-group recall@{k} {fmt(oracle['within_group_recall_at_k'])}"
              if recall_is_meaningful(k, refs) else "")
    return (f"The **oracle** (items ranked by their chance to be among the query's held-out "
            f"positives under the data's generator) recommends "
            f"{percent(oracle['spurious_at_k'])} from other groups here (spurious@{k} "
            f"{fmt(oracle['spurious_at_k'])}), with cross-group AUC "
            f"{fmt(oracle['cross_group_auc'])}{recall}; a **random ranking** "
            f"{fmt(refs.random['spurious_at_k'])} and 0.50. "
            + ("No model can beat the oracle's within-group recall but by the luck of a finite "
               "test set; on" if recall else "On")
            + " spurious@k and AUC the oracle is the data's own share, and a model can go past "
            "it.")

