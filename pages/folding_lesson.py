"""Lesson: the whole story on one page, readable without a click."""

import streamlit as st

import ui

st.title("Why recommenders need negatives")
ui.page_setup(data_controls=False)
st.markdown(
    "A **softmax recommender** maps a query (a user, a context) to an embedding "
    "and scores every item against it. Trained on positive items alone, it can "
    "**fold**: each group of items is learned well on its own, yet different "
    "groups land on top of each other, and a query gets items from the wrong "
    "group. Below, the same data trained two ways: squares are queries, circles "
    "are items, one color per group (think: one language on a video site)."
)

data = ui.data_config()
runs = ui.train_all(data, ("positives-only", "uniform"), slot="lesson")
if not runs:
    st.stop()
configs = tuple(config for _, config in runs.values())
ui.chart(ui.small_multiples(data, configs, cols=2), "lesson_side_by_side", "recdemo-folding")
left, right = st.columns(2)
for column, (strategy, (result, _)) in zip((left, right), runs.items(), strict=False):
    m = result.final_metrics
    column.markdown(
        f"**{strategy}**: {m['spurious_at_k']:.0%} of each query's top "
        f"{result.config.k} come from another group; a random own-group item beats "
        f"a random other-group item {m['cross_group_auc']:.0%} of the time."
    )
st.caption("Measured on held-out test queries. Each panel is its own PCA projection "
           "of the final embeddings; the Train page replays training epoch by epoch.")

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

st.header("3. Positives only: folding")
st.markdown(
    "The cheapest choice is to look only at the positives and push their scores up:"
)
st.latex(r"L_{\text{pos}} = -\sum_{j \in P} p_j \log \sigma(s_j)")
st.markdown(
    "Nothing in this loss ever pushes an item **down**. The model can place each "
    "group's queries and items well relative to each other, while the groups "
    "themselves end up in the same region by chance: **folding**. The left panel "
    "above shows it; its top-k lists are full of other groups' items "
    "(**spurious recommendations**)."
)

st.header("4. Negative sampling")
st.markdown(
    "Add $K$ sampled **negatives** to the positives and take the softmax over "
    "these candidates $C$ only. Negatives are items labeled irrelevant for the "
    "query; they teach the model to push the groups apart."
)
st.latex(r"L_{\text{sampled}} = -\sum_{j \in P} p_j \log "
         r"\frac{e^{s_j - \log(K Q_j)}}{\sum_{c \in C} e^{s_c - \log(K Q_c)}}")
st.markdown(
    "The strategies you can try on the Train page:\n"
    "- **full**: every item is a candidate (exact, cost grows with $n$).\n"
    "- **positives-only**: no negatives at all (folds).\n"
    "- **uniform**: negatives drawn uniformly from the corpus.\n"
    "- **hard**: negatives drawn with probability $\\propto e^{s_j / T}$: the items "
    "the model currently scores high, which contribute the most to the gradient.\n"
    "- **in-group**: negatives from the query's own group only. The model ranks well "
    "inside each group and still folds (*good model, spurious recommendations*, "
    "Xin et al. 2017).\n"
    "- **popularity**: negatives drawn by popularity $Q_j$; the $-\\log(K Q_j)$ "
    "correction (logQ, Bengio & Senécal) keeps the estimate of the full softmax "
    "unbiased.\n\n"
    "A negative that happens to be one of the query's positives (an *accidental "
    "hit*) is masked."
)

st.header("5. Gravity")
st.markdown(
    "Gravity (Krichene et al. 2019) adds a penalty on **all** scores, pulling them "
    "toward zero, without listing all query-item pairs: two $d \\times d$ Gramians "
    "are enough."
)
st.latex(r"\lambda \frac{1}{Bn} \sum_{b=1}^{B} \sum_{j=1}^{n} \langle q_b, V_j \rangle^2 "
         r"= \lambda \left\langle \frac{Q^\top Q}{B}, \frac{V^\top V}{n} \right\rangle")
st.markdown(
    "Try **positives-only** with a gravity of 1 on the Train page: the groups come "
    "apart. Matrix factorization (WALS) does the same with its weight on "
    "unobserved pairs."
)

st.header("How to read the numbers")
st.markdown(
    "- **spurious@k**: share of a query's top-k items from another group "
    "(random ranking: $1 - 1/G$). Lower is better.\n"
    "- **within-group recall@k**: share of a query's own-group positives in its "
    "top-k when only its own group is ranked: *does the model look good inside a group?*\n"
    "- **cross-group AUC**: chance that a random own-group item outscores a random "
    "other-group item; 0.5 = folded, 1 = separated.\n"
    "- **silhouette**: how tightly each group's items cluster apart from the others "
    "(cosine); near 0 or below = overlapping."
)
st.caption("Source: Google's recommendation systems course, “Softmax Training”.")
