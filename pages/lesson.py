"""Lesson: the whole story on one page, readable without a click.

Every number on this page is measured on the runs it shows, and every
sentence about what a strategy did comes from recdemo/claims.py, computed
from those runs: on a link where a run does not do what the lesson says, the
page says what happened instead.
"""

import streamlit as st

import ui
from recdemo import claims, claims_lesson, claims_practice, figures, verdicts, wording
from recdemo.metrics import top_length
from recdemo.params import run_settings
from recdemo.references import random_metrics
from recdemo.where_it_holds import warnings

ui.run_through_navigation()  # first: see ui/navigation.py

STORY = ("positives-only", "in-group", "uniform")

st.title("Why recommenders need negatives")
ui.page_setup(data_controls=False)
text, picture = ui.text_and_picture()  # the picture first
INTRO = (
    "A **softmax recommender** maps a query (a user, a context) to an embedding "
    "and scores every item against it. Trained without the right negatives it can "
    "**fold**: different groups of items land in the same region of the embedding "
    "space, and a query gets items from the wrong group. {above}"
)
intro = text.empty()  # said again below if a run does not train
intro.markdown(INTRO.format(above=(
    # No "top" or "bottom": on a phone each run's matrix is drawn beside its picture.
    "Above, the same data trained three ways. For each run: its embeddings (squares are "
    "queries, circles are items, one color per group; think: one language on a video site), "
    "and **what it recommends**, exactly: a mark for each of a held-out query's "
    "top items, in the item's color. Marks in the gray blocks on the diagonal are "
    "from the query's own group.")))

data_config = ui.data_config()
settings = ui.train_config()
k = settings.k
notes = st.container()  # the sweep's warnings, once the references are in (below)
dataset = ui.dataset(data_config)
# Positives-only, then uniform from its parameters at half the epochs (section 7),
# with the lesson's gravity throughout: only the negatives change at the switch
# (a switch_gravity from a Train link is not this section's).
UNDONE = {"strategy": "positives-only", "switch_at": settings.epochs // 2,
          "switch_to": "uniform", "switch_gravity": settings.gravity}
undone_config = ui.train_config(with_switch=True, **UNDONE) if settings.epochs > 1 else None
if undone_config is not None:
    ui.request_run(data_config, undone_config)
with picture:  # its progress where the picture will be, on the first screen
    runs = ui.trained_runs(data_config, STORY, slot="lesson")
results = {strategy: result for strategy, (result, _) in runs.items()}
if not runs:
    intro.markdown(INTRO.format(above="Here no run trained on these settings: the errors "
                                "say what to change."))
refs = ui.references(data_config, k)
# What the lesson expects of each run as it trains here (positives-only with the
# session's gravity is expected to separate); where no run can fold or separate,
# every verdict says so, and the sweep's counts say no more.
for note in ([] if claims.no_room(refs) else warnings(
        {strategy: verdicts.expected(ui.train_config(strategy=strategy)) for strategy in STORY},
        run_settings(data_config, settings))):
    notes.warning(note, icon=":material/warning:")
undone = ui.trained_run_or_none(data_config, undone_config) if undone_config else None
if runs:
    configs = tuple(config for _, config in runs.values())
    with picture:
        figure = ui.small_multiples(data_config, configs, cols=len(configs),
                                    height=ui.figure_height(ui.PRESENTER_PICTURE_HEIGHT))
        ui.chart(ui.for_projector(figure), "lesson_side_by_side", "recdemo-folding",
                 alt=figures.small_multiples_alt(dataset, results.values()))
    top = top_length(k, dataset.n_items)
    picture.caption(
        f"Measured on {len(dataset.test)} held-out test queries after training. With each "
        f"picture: the share of a query's {wording.quantity(top, 'nearest item')} *in the "
        f"picture* that {'comes' if top == 1 else 'come'} from other groups"
        + (f": here they are all {dataset.n_items} items, so the share is the same for any "
           "model and any picture" if top >= dataset.n_items else
           f", and the same share in all {settings.dim} dimensions of the embeddings: the gap "
           "between the two is what the projection loses" if settings.dim > 2 else
           ": with 2 dimensions the picture is the whole embedding, and the projection loses "
           "nothing")
        + ". The matrix with it is what the model really recommends."
    )
    for result in results.values():  # named with their settings (gravity, if any)
        picture.markdown(claims.verdict_claim(
            figures.run_label(result.config), result, refs,
            run_settings(data_config, result.config)).text)


def formula(tex: str) -> None:
    """A displayed formula, centered in a box as wide as the page: st.latex
    makes the box as wide as the formula, and KaTeX's last subscript sticks 2
    pixels out of it, a sideways scroll that no keyboard reaches (axe-core's
    scrollable-region-focusable). The long ones are on lines a phone holds."""
    st.markdown(f"$$\n{tex}\n$$")


def said(claim_list) -> str:
    """Claims' sentences, joined."""
    return "; ".join(claim.text for claim in claim_list)


st.header("1. The training data: x and p")
st.markdown(
    "Each training example is a query's features $x$ and the items it interacted "
    "with, as a probability vector $p$ over the $n$ items (here each query has a "
    "few positives, weighted equally). The model has a query tower $\\psi(x)$, a "
    "small neural network, and one embedding $V_j$ per item:"
)
formula(r"\begin{gathered} s_j = \psi(x) \cdot V_j, \qquad \hat p = \operatorname{softmax}(s) "
        r"\\ L = -\sum_{j=1}^{n} p_j \log \hat p_j \end{gathered}")

st.header("2. The full softmax is expensive")
st.markdown("The gradient of the loss on the scores is simple, but it touches **every** item:")
formula(r"\frac{\partial L}{\partial s_j} = \hat p_j - p_j \quad \text{for all } j = 1, \dots, n")
st.markdown(
    "Each step costs a pass over the whole corpus. With millions of items that is "
    "too slow, so we want to compute the gradient on a few items only."
)

st.header("3. Positives only: nothing pushes an item down")
st.markdown(
    "The cheapest choice is to look only at the positives and push their scores up. "
    "A softmax over the positives alone would push nothing apart at all, so "
    "`positives-only` puts a **sigmoid on each positive**:"
)
formula(r"L_{\text{pos}} = -\sum_{j \in P} p_j \log \sigma(s_j)")
if {"positives-only", "uniform"} <= results.keys():
    folded = results["positives-only"]
    st.markdown(
        "Nothing in this loss ever pushes an item **down**: the easiest way to raise every "
        "positive's score is to point every query and every item the same way and make them "
        "long. Here, against uniform on the same data"
        + (f" (both with gravity {settings.gravity:g}, which pulls every score toward zero: "
           "section 6)" if settings.gravity else "") + ": "
        + said(claims_lesson.folded_geometry(folded=folded, separated=results["uniform"],
                                      test_groups=dataset.test.groups)) + ". "
        + (claims_lesson.lowest_recall("positives-only", results, refs).text
           if claims.recall_is_meaningful(k, data_config) else "")
    )

# The lesson's question, not its answer: the runs above answer it (a review: the
# answer as a header stood over runs that did otherwise).
st.header("4. In-group negatives: good inside a group, folded across?")
st.markdown(
    "Negatives drawn from the query's **own group** only teach the model to rank "
    "inside each color, and nothing about the colors themselves: the *good model, "
    "spurious recommendations* of Xin et al. (2017), and the source's picture of folding."
)
if {"in-group", "uniform"} <= results.keys():
    in_group = results["in-group"]
    st.markdown(
        "Here, on the runs above. "
        + (claims_lesson.good_inside("in-group", in_group, "uniform", results["uniform"],
                                      refs).text + " "
           if claims.recall_is_meaningful(k, data_config) else "")
        + claims_lesson.auc_below_half("in-group", in_group).text
    )

st.header("5. Negative sampling")
st.markdown(
    "Add $K$ sampled **negatives** to the positives and take the softmax over "
    "these candidates $C$ only. Negatives are items labeled irrelevant for the "
    "query; drawn from every group, they push other groups' items down for each query"
    # Pointed at only where it did: a review's /?l2=0.1, where uniform folds.
    + (" (`uniform` in the pictures above)." if "uniform" in results and verdicts.verdict(
        results["uniform"].final_metrics, refs) == verdicts.SEPARATES else ".")
)
formula(r"L_{\text{sampled}} = -\sum_{j \in P} p_j \log "
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
    "Uniform's $Q_j = 1/n$ is the same for every item, so its correction cancels, and hard "
    "negatives are *meant* to over-weight the items they pick.\n"
    "- **in-batch**: each query's negatives are the *other queries' positives in the same "
    "batch* (TensorFlow Recommenders' `Retrieval` task; Yi et al. 2019): no extra item is "
    "read, and an item is drawn as often as it is someone's positive, so in proportion to "
    "popularity. Its correction is $-\\log E_j$, $E_j$ the expected number of copies of item "
    "$j$ among a query's negatives, from $Q_j$ estimated as the item's share of the training "
    "positives (what a streaming estimator converges to).\n"
    "- **mixed**: in-batch plus $K$ uniform negatives per query (Yang et al. 2020), so that "
    "items nobody chose are pushed down too.\n\n"
    "The Train page says what the correction does to in-batch, popularity and mixed on the "
    "data you set, and where each strategy's negatives came from.\n\n"
    "A negative that happens to be one of the query's positives (an *accidental "
    "hit*) is masked."
)

st.header("6. Gravity")
st.markdown(
    "Gravity (Krichene et al. 2019) adds a penalty on **all** scores, pulling them "
    "toward zero, without listing all query-item pairs: two $d \\times d$ Gramians "
    "are enough."
)
formula(r"\begin{aligned} & \lambda \frac{1}{Bn} \sum_{b=1}^{B} \sum_{j=1}^{n} "
        r"\langle q_b, V_j \rangle^2 \\ = \; & \lambda \left\langle \frac{Q^\top Q}{B}, "
        r"\frac{V^\top V}{n} \right\rangle \end{aligned}")
st.markdown(
    "Try **positives-only** with a gravity of 0.01 to 10 on the Train page: it compares the "
    "run with the same run without gravity, and says what gravity did to its spurious "
    "recommendations. Matrix factorization (WALS) has the same kind of push, its weight on "
    "unobserved pairs (the MF vs softmax page)."
)

st.header("7. Can folding be undone?")
st.markdown(
    "Is folding a property of the data? Train positives-only for half the epochs, then go on "
    "from the same parameters and optimizer state with uniform negatives, on the same data"
    + (f" and with the same gravity ({settings.gravity:g})" if settings.gravity else "") + ":"
)
if undone is not None:
    unswitched, why_not = ui.trained_run_or_why(data_config, undone_config.without_switch())
    st.markdown(claims_practice.switch_claim("positives-only", undone, refs, unswitched,
                                             why_not).text
                + " [Replay it on the Train page]("
                + ui.open_view_link("train", run_settings(data_config, undone_config)) + ").")
elif undone_config is None:
    st.markdown("With 1 epoch there is no half to switch at: raise epochs to see it.")
else:
    st.markdown("That run did not train on these settings: [open it on the Train page]("
                + ui.open_view_link("train", run_settings(data_config, undone_config))
                + ") to see why.")

st.header("How to read the numbers")
chance = random_metrics(dataset.n_groups, data_config.items_per_group, k)
st.markdown(
    f"All four are measured on held-out test queries, at a cut-off $k = {k}$.\n"
    f"- **spurious@{k}**: share of a query's top {wording.quantity(k, 'item')} from another "
    "group. "
    f"Lower is better; a random ranking gives $1 - 1/G$ = {wording.fmt(chance['spurious_at_k'])}.\n"
    f"- **within-group recall@{k}**: share of a query's own-group positives in its "
    f"top {k} when only its own group is ranked: *does the model look good inside a "
    f"group?* A random ranking gives k / items per group, at most 1: here "
    f"{wording.fmt(chance['within_group_recall_at_k'])} (1 once a group has no more than "
    f"{wording.quantity(k, 'item')}: "
    "then it means nothing).\n"
    "- **cross-group AUC**: chance that a random own-group item outscores a random "
    "other-group item for the same query. 0.5 = no better than chance, below 0.5 = other "
    "groups' items ahead of the query's own.\n"
    "- **silhouette**: how tightly the held-out queries and the items of each color "
    "cluster apart from the other colors (cosine); near 0 or below = overlapping. It "
    "describes the embeddings' shape, not the recommendations.\n\n"
    "A run **folds** when its spurious@k is closer to a random ranking's than to the "
    "data's own share and its AUC keeps at most half of the data's own separation; it "
    "**separates** when its spurious@k is within a quarter of the way from the data's own "
    "share to chance's and it keeps three quarters of the separation (recdemo/verdicts.py).\n\n"
    + (claims.references_text(refs) if runs else "")
)
for note in claims.metric_caveats(k, data_config):
    st.caption(note)
# Small text, not a caption, whose 0.6 opacity fades a link to 3:1 (axe-core's color-contrast).
st.markdown(f":small[Source: Google's recommendation systems course, "
            f"[“Softmax Training”]({ui.SOURCE_URL}).]")
