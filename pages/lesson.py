"""Lesson: the whole story on one page, readable without a click.

Every number on this page is measured on the runs it shows; every sentence
about what a strategy does is checked across seeds, group counts and data
sizes in tests/test_phenomenon.py.
"""

import streamlit as st

import ui
from recdemo.metrics import (
    cross_group_overlap,
    length_score_correlation,
    mean_cosine,
    oracle_metrics,
    random_metrics,
)
from recdemo.reliability import reliability_notes

ui.run_through_navigation()  # first: see ui/navigation.py

STORY = ("positives-only", "in-group", "uniform")

st.title("Why recommenders need negatives")
ui.page_setup(data_controls=False)
text, picture = ui.text_and_picture()  # in presenter view the picture first
text.markdown(
    "A **softmax recommender** maps a query (a user, a context) to an embedding "
    "and scores every item against it. Trained without the right negatives it can "
    "**fold**: different groups of items land in the same region of the embedding "
    "space, and a query gets items from the wrong group. Below, the same data "
    "trained three ways. Top: the embeddings (squares are queries, circles are "
    "items, one color per group; think: one language on a video site). Bottom: "
    "**what each model recommends**, exactly: a mark for each of a held-out query's "
    "top items, in the item's color. Marks in the gray blocks on the diagonal are "
    "from the query's own group."
)

data_config = ui.data_config()
data = ui.dataset(data_config)
runs = ui.train_all(data_config, STORY, slot="lesson")
results = {strategy: result for strategy, (result, _) in runs.items()}
k = ui.train_config().k
if runs:
    configs = tuple(config for _, config in runs.values())
    with picture:
        figure = ui.small_multiples(data_config, configs, cols=len(configs))
        ui.chart(ui.for_projector(figure, ui.PRESENTER_PICTURE_HEIGHT), "lesson_side_by_side",
                 "recdemo-folding")
    oracle = oracle_metrics(data, k)
    picture.caption(
        f"Measured on {len(data.test)} held-out test queries after training. A 2D picture "
        "cannot hold six separated groups: under each one, the share of a query's nearest "
        "items *in the picture* that come from other groups; the matrix below it is what "
        f"the model really recommends. For reference, a perfect model (the data's own "
        f"preferences) recommends {oracle['spurious_at_k']:.0%} from other groups here, and a "
        f"random one {random_metrics(data.n_groups, 1, k)['spurious_at_k']:.0%}."
    )
for note in reliability_notes(data, ui.train_config()):
    st.info(note, icon=":material/info:")


def measured(strategy: str, name: str) -> str:
    """A metric of one of the runs above, or a dash if it did not train."""
    return f"{results[strategy].final_metrics[name]:.2f}" if strategy in results else "–"


st.header("1. The training data: x and p")
st.markdown(
    "Each training example is a query's features $x$ and the items it interacted "
    "with, as a probability vector $p$ over the $n$ items (here each query has a "
    "few positives, weighted equally). The model has a query tower $\\psi(x)$, a "
    "small neural network, and one embedding $V_j$ per item:"
)
st.latex(r"s_j = \psi(x) \cdot V_j, \qquad \hat p = \operatorname{softmax}(s), \qquad "
         r"L = -\sum_{j=1}^{n} p_j \log \hat p_j")

st.header("2. The full softmax is expensive")
st.markdown("The gradient of the loss on the scores is simple, but it touches **every** item:")
st.latex(r"\frac{\partial L}{\partial s_j} = \hat p_j - p_j \quad \text{for all } j = 1, \dots, n")
st.markdown(
    "Each step costs a pass over the whole corpus. With millions of items that is "
    "too slow, so we want to compute the gradient on a few items only."
)

st.header("3. Positives only: everything in one direction")
st.markdown(
    "The cheapest choice is to look only at the positives and push their scores up. "
    "A softmax over the positives alone would push nothing apart at all, so "
    "`positives-only` puts a **sigmoid on each positive**:"
)
st.latex(r"L_{\text{pos}} = -\sum_{j \in P} p_j \log \sigma(s_j)")
if {"positives-only", "uniform"} <= results.keys():
    folded, separated = results["positives-only"], results["uniform"]

    def learned(result):
        Q, V = result.query_embeddings, result.item_embeddings
        return (mean_cosine(V), length_score_correlation(Q, V),
                cross_group_overlap(result.top_k_snapshots[-1], data.test.groups))

    (cos_f, corr_f, overlap_f), (cos_s, corr_s, overlap_s) = learned(folded), learned(separated)
    st.markdown(
        "Nothing in this loss ever pushes an item **down**, and the easiest way to "
        "raise every positive's score is to point every query and every item the same "
        "way and make them long. That is what it learns here: its item embeddings have a "
        f"mean cosine of **{cos_f:.2f}** with each other (uniform's: {cos_s:.2f}), an "
        f"item's length tracks its mean score over all queries (correlation "
        f"**{corr_f:.2f}**; uniform's {corr_s:.2f}), and two queries from different "
        f"groups share **{overlap_f:.0%}** of their top {k} (uniform: {overlap_s:.0%}). "
        "So it folds, and it does not even rank well inside a group: its within-group "
        f"recall@{k} is **{measured('positives-only', 'within_group_recall_at_k')}**, the "
        "lowest of all strategies (the Compare page shows them all)."
    )

st.header("4. In-group negatives: good inside a group, folded across")
st.markdown(
    "Negatives drawn from the query's **own group** only teach the model to rank "
    "inside each color, and nothing about the colors themselves. Its within-group "
    f"recall@{k} is **{measured('in-group', 'within_group_recall_at_k')}**, as good as "
    "the separated models', yet "
    f"**{measured('in-group', 'spurious_at_k')}** of its top-{k} come from other groups: "
    "the *good model, spurious recommendations* of Xin et al. (2017), and the source's "
    "picture of folding. Its cross-group AUC, "
    f"**{measured('in-group', 'cross_group_auc')}**, is even below 0.5: every own-group "
    "item but the query's positives is pushed down for that query, and other groups' "
    "items never are, so an average own-group item ranks *below* an average "
    "other-group item."
)

st.header("5. Negative sampling")
st.markdown(
    "Add $K$ sampled **negatives** to the positives and take the softmax over "
    "these candidates $C$ only. Negatives are items labeled irrelevant for the "
    "query; drawn from every group, they teach the model to push the groups apart "
    f"(`uniform` above: spurious@{k} **{measured('uniform', 'spurious_at_k')}**, "
    f"cross-group AUC **{measured('uniform', 'cross_group_auc')}**)."
)
st.latex(r"L_{\text{sampled}} = -\sum_{j \in P} p_j \log "
         r"\frac{e^{s_j}}{\sum_{c \in C} e^{s_c}}")
st.markdown(
    "The strategies you can try on the Train page:\n"
    "- **full**: every item is a candidate (exact; the cost grows with $n$).\n"
    "- **positives-only**: no negatives, a sigmoid on each positive (section 3).\n"
    "- **uniform**: negatives drawn uniformly from the corpus.\n"
    "- **hard**: negatives drawn with probability $\\propto e^{s_j / T}$ from a pool of "
    "items: the ones the model currently scores high, which contribute the most to the "
    "gradient. Finding them costs more: every item of the pool is scored first.\n"
    "- **in-group**: negatives from the query's own group only (section 4).\n"
    "- **popularity**: negatives drawn in proportion to popularity $Q_j$. Popular "
    "items would then be pushed down more often than the full softmax pushes them, "
    "so each candidate's logit gets the correction $-\\log(K Q_j)$ (logQ, Bengio & "
    "Senécal; Yi et al. 2019), which brings the sampled softmax closer to the full one. "
    "Only popularity needs it: uniform's $Q_j = 1/n$ is the same for every item, so its "
    "correction cancels, and hard negatives are *meant* to over-weight the items they pick.\n\n"
    "A negative that happens to be one of the query's positives (an *accidental "
    "hit*) is masked."
)

st.header("6. Gravity")
st.markdown(
    "Gravity (Krichene et al. 2019) adds a penalty on **all** scores, pulling them "
    "toward zero, without listing all query-item pairs: two $d \\times d$ Gramians "
    "are enough."
)
st.latex(r"\lambda \frac{1}{Bn} \sum_{b=1}^{B} \sum_{j=1}^{n} \langle q_b, V_j \rangle^2 "
         r"= \lambda \left\langle \frac{Q^\top Q}{B}, \frac{V^\top V}{n} \right\rangle")
st.markdown(
    "Try **positives-only** with a gravity from 0.01 to 1 on the Train page: it stops "
    "everything from growing in one direction, and the groups come apart (the tests "
    "check that this halves its spurious@k at least; at 10 it pulls every score to "
    "zero and the model learns little). Matrix factorization (WALS) does the same "
    "with its weight on unobserved pairs."
)

st.header("How to read the numbers")
chance = random_metrics(data.n_groups, data_config.items_per_group, k)
st.markdown(
    f"All four are measured on held-out test queries, at a cut-off $k = {k}$.\n"
    f"- **spurious@{k}**: share of a query's top {k} items from another group. "
    f"Lower is better; a random ranking gives $1 - 1/G$ = {chance['spurious_at_k']:.2f}.\n"
    f"- **within-group recall@{k}**: share of a query's own-group positives in its "
    f"top {k} when only its own group is ranked: *does the model look good inside a "
    f"group?* A random ranking gives {k} / items per group = "
    f"{chance['within_group_recall_at_k']:.2f}.\n"
    "- **cross-group AUC**: chance that a random own-group item outscores a random "
    "other-group item for the same query. 1 = separated, 0.5 = no better than chance, "
    "below 0.5 = other groups' items ahead of the query's own (in-group).\n"
    "- **silhouette**: how tightly the held-out queries and the items of each color "
    "cluster apart from the other colors (cosine); near 0 or below = overlapping. It "
    "describes the embeddings' shape, not the recommendations: it mostly agrees with "
    "the other three, yet can rate a partly folded model as high as a separated one.\n\n"
    "With a leak, some of a query's positives really are in other groups: even a "
    "perfect model recommends some of them, and the Train page shows what it scores."
)
st.caption("Source: Google's recommendation systems course, "
           f"[“Softmax Training”]({ui.SOURCE_URL}).")
