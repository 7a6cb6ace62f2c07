"""What the pages say about outcomes, run headless with Streamlit's AppTest:
every sentence comes from the runs on the page (recdemo/claims.py), on the
links reviews tried."""


import pytest

from tests.page_runs import chart_spec, metric_values, no_exceptions, open_page, said
from ui.navigation import page_file

pytestmark = pytest.mark.slow  # every page run (AppTest), training its runs

def test_the_lesson_says_what_each_run_did_on_a_link_a_review_tried():
    at = open_page(page_file(""), groups=4, seed=11)
    assert no_exceptions(at)
    text = said(at)
    for strategy in ("positives-only", "in-group", "uniform"):
        assert f"**{strategy}** " in text or f"**Here {strategy} does not" in text
    assert "every query gets the same few items" not in text
    assert "six separated groups" not in text


def test_train_says_what_gravity_did_against_the_same_run_without_it():
    at = open_page("pages/train.py", strategy="positives-only", gravity=10.0, groups=8, seed=3)
    assert no_exceptions(at)
    (line,) = [m.value for m in at.markdown if m.value.startswith("With gravity 10, spurious")]
    assert "(no gravity, same data and seed)" in line
    assert "learns little" not in said(at)


def test_a_switched_run_credits_its_switch_not_gravity():
    """A review's link: gravity 10 for one epoch, then uniform. Gravity's
    sentence (against the same run without gravity) would credit gravity with
    what the switch did; the switch's sentence names the gravity before it."""
    at = open_page("pages/train.py", strategy="positives-only", gravity=10.0, switch_at=1,
                   switch_to="uniform", seed=999, epochs=4)
    assert no_exceptions(at)
    text = said(at)
    assert "With gravity 10, spurious" not in text
    assert "After 1 epoch of positives-only with gravity 10, spurious@10" in text
    assert "Then 3 epochs of uniform" in text


def test_the_lesson_names_its_runs_gravity():
    at = open_page(page_file(""), gravity=1.0, seed=3, epochs=4)
    assert no_exceptions(at)
    text = said(at)
    for strategy in ("positives-only", "in-group", "uniform"):
        assert f"{strategy} (gravity 1, epochs 4)** " in text, strategy
    assert "Here, against uniform on the same data (both with gravity 1, which pulls" in text


def test_the_lesson_at_one_epoch_and_k_1():
    """A review's links: section 7 was left empty at 1 epoch (no half to switch
    at), and "1 nearest item ... that come", "no more than 1 items"."""
    at = open_page(page_file(""), k=1, epochs=1, seed=2024)
    assert no_exceptions(at)
    text = said(at)
    assert "a query's 1 nearest item *in the picture* that comes from other groups" in text
    assert "no more than 1 item:" in text and "1 items" not in text
    assert "With 1 epoch there is no half to switch at" in text


def test_the_lesson_where_no_run_trains_names_each_and_says_so():
    """A review's link: three identical errors, none naming its run, under
    "Above, the same data trained three ways" and no picture."""
    at = open_page(page_file(""), learning_rate=10.0, seed=7)
    assert not at.exception
    errors = [e.value for e in at.error]
    for strategy in ("positives-only", "in-group", "uniform"):
        assert any(e.startswith(f"**{strategy}**: Training diverged") for e in errors), errors
    text = said(at)
    assert "Here no run trained on these settings" in text
    assert "Above, the same data trained three ways" not in text
    assert "in the pictures above" not in text


def test_a_mistyped_setting_in_a_link_is_named_not_rendered():
    at = open_page(page_file("groups"), presenter="1")
    assert no_exceptions(at)
    assert any(w.value.startswith("Link parameter ignored: recdemo has no setting of that name "
                                  "(did you mean present?).") for w in at.warning)
    assert "presenter" in [c.value for c in at.code]


def test_the_groups_page_never_shows_a_leak_of_0_percent_that_is_not():
    at = open_page(page_file("groups"), leak=0.0002, queries_per_group=300, positives=10,
                   groups=8, seed=4242, present="true")
    assert no_exceptions(at)
    assert "over 99.9% of the positives are from the query's own group, under 0.1% leak" \
        in said(at)
    assert [m.value for m in at.metric if m.label == "positives leaking"] == ["under 0.1%"]


def test_the_groups_page_writes_counts_with_separators_and_no_leak_where_there_is_none():
    """Reviews' links: "**2400 training queries**" where Why sample? writes
    1,000; and at leak=0 a caption on "the dots off the diagonal"."""
    at = open_page(page_file("groups"), present="true", groups=8, queries_per_group=300,
                   positives=1, leak=0.0005, seed=97)
    assert no_exceptions(at)
    assert "**2,400 training queries** (plus 240 held-out test queries)" in said(at)
    assert [m.value for m in at.metric if m.label == "training queries"] == ["2,400"]
    at = open_page(page_file("groups"), leak=0, positives=1)
    assert no_exceptions(at)
    assert "off the diagonal are the leak" not in said(at)
    assert "no dot is off the diagonal: none of the interactions drawn leaks." in said(at)


def test_a_run_too_large_says_so_in_sentences():
    at = open_page("pages/train.py", switch_at=20)
    assert no_exceptions(at) or at.error
    (error,) = [e.value for e in at.error if "switch_at" in e.value]
    assert "; got 20. There is nothing earlier to show instead." in error
    assert error.startswith("switch_at must be 0")


def test_train_warns_before_and_explains_after_where_the_sweep_says_it_fails():
    at = open_page("pages/train.py", strategy="uniform", l2=0.1)
    assert no_exceptions(at)
    assert any("the lesson did not hold there" in w.value and "l2 0.1" in w.value
               for w in at.warning)
    assert any(m.value.startswith("**Here uniform (l2 0.1) does not separate")
               for m in at.markdown)


def test_a_metric_that_means_nothing_is_left_out_with_the_reason():
    at = open_page("pages/train.py", items_per_group=10)
    assert no_exceptions(at)
    assert metric_values(at)["within-group recall@10"] == "–"
    assert any("Within-group recall@10 is left out" in c.value for c in at.caption)


def test_the_mf_tables_leave_out_a_recall_any_model_would_score_1_on():
    """With k = 10 and 10 items a group, within-group recall@10 is 1.00 for
    any ranking: neither table shows it, and the caption says why."""
    at = open_page("pages/mf.py", items_per_group=10, queries_per_group=20)
    assert no_exceptions(at)
    cells = " ".join(str(v) for table in at.table for row in table.value.to_dict("records")
                     for v in row.values())
    assert "spurious@10" in cells and "within-group recall" not in cells
    assert any(c.value.startswith("Within-group recall@10 is left out") for c in at.caption)


def test_the_mf_pictures_caption_says_which_panel_it_is_about():
    """A review's link, /mf?cold_start=average&positives=1&seed=11: "new to
    matrix factorization: embedded by average" under two panels, one of them
    the softmax model's, which embeds no query by fold-in or average."""
    at = open_page("pages/mf.py", cold_start="average", positives=1, seed=11,
                   queries_per_group=20)
    assert no_exceptions(at)
    cells = " ".join(str(v) for table in at.table for row in table.value.to_dict("records")
                     for v in row.values())
    average = "the average of the 10 training queries with the most similar features"
    assert average.removeprefix("the ") in cells
    assert ("Both panels show the same 180 held-out test queries. In the wals panel they are "
            f"new to matrix factorization, embedded by {average}; in the positives-only panel "
            "the softmax model puts their features through its query tower."
            in [c.value for c in at.caption])


def test_the_mf_page_says_whether_two_stages_separate_on_its_own_data():
    at = open_page("pages/mf.py", groups=8)
    assert no_exceptions(at)
    assert "Folding is fine" not in said(at)
    assert any(f"On this data, {answer}" in said(at) for answer in (
        "yes", "no", "its top 10 says yes and its whole ranking no"))


def test_the_mf_page_falls_back_to_the_last_runs_with_their_own_data():
    """A review's session: MF at seed 7, then positives 1 on Train (a data
    setting every page shares), then MF again, where fold-in cannot train.
    The page shows the last runs that trained, and everything on it is of their
    data (positives 5): the verdicts' references, the picture, the tables. It
    drew positives 1's references beside them, then a traceback."""
    from recdemo.data import DataConfig, make_dataset
    from recdemo.mf import mf_references
    from recdemo.wording import fmt

    at = open_page("pages/mf.py", seed=7, epochs=5)
    assert no_exceptions(at)
    before = chart_spec(at, "mf_side_by_side")["data"]
    at.switch_page("pages/train.py").run()
    at.slider(key="control_positives").set_value(1).run()
    at.switch_page("pages/mf.py").run()
    assert not at.exception, [e.message for e in at.exception]
    (error,) = [e.value for e in at.error]
    assert "cold_start fold-in needs positives of at least 2" in error
    assert error.endswith("Everything below is of the last runs that trained. It is of the "
                          "settings it trained with: positives 5 (now 1)."), error
    old, new = (mf_references(make_dataset(DataConfig(seed=7, positives=positives)), 10)
                for positives in (5, 1))
    own = (f"against the data's own {fmt(old.oracle['spurious_at_k'])} and a random ranking's "
           f"{fmt(old.random['spurious_at_k'])}; cross-group AUC")
    assert fmt(old.oracle["spurious_at_k"]) != fmt(new.oracle["spurious_at_k"])
    verdicts = [m.value for m in at.markdown if m.value.startswith(("**wals", "**positives"))]
    assert len(verdicts) == 3 and all(own in v for v in verdicts), verdicts
    assert chart_spec(at, "mf_side_by_side")["data"] == before, "the last runs' picture"
    assert len(at.table) == 2
    assert any("2 of each test query's 5 positives are what it brings" in c.value
               for c in at.caption)


def test_the_mf_pages_gravity_is_positives_only_s_and_its_cells_follow_its_data():
    """Gravity trains positives-only with it; uniform and in-group, the two
    stages' references, train without it, whatever the control says. With one
    positive per query there is nothing to fold in: the table and its caption
    say so (cold start by average), and fold-in is refused with the reason."""
    def two_stage_rows(at):
        return at.table[1].value.to_dict("records")

    plain, heavy = open_page("pages/mf.py"), open_page("pages/mf.py", gravity=10.0)
    assert no_exceptions(plain) and no_exceptions(heavy)
    rows = [two_stage_rows(at) for at in (plain, heavy)]
    assert rows[0][0] == rows[1][0] and rows[0][2] == rows[1][2], "in-group and uniform"
    assert "half of each" not in " ".join(c.value for c in plain.caption)
    assert any("2 of each test query's 5 positives are what it brings" in c.value
               for c in plain.caption)

    one = open_page("pages/mf.py", positives=1, cold_start="average")
    assert no_exceptions(one)
    cells = " ".join(str(v) for row in one.table[0].value.to_dict("records")
                     for v in row.values())
    assert "fold-in: nothing to fold in" in cells
    assert "folded in" not in cells, "no fold-in is timed where there is nothing to fold in"
    table = " ".join(str(v) for row in heavy.table[0].value.to_dict("records")
                     for v in row.values())
    assert "positives-only (gravity 10): spurious@10" in table, "the run the cell is of"
    refused = open_page("pages/mf.py", positives=1)
    assert any("cold_start fold-in needs positives of at least 2" in e.value
               for e in refused.error)


def test_the_lesson_switches_only_the_negatives_in_folding_undone():
    """A review's link: a switch_gravity from a Train link went on into the
    lesson's section 7, whose switch is meant to change the negatives alone."""
    at = open_page(page_file(""), switch_gravity=2.0, epochs=4, seed=5)
    assert no_exceptions(at)
    text = said(at)
    assert "Then 2 epochs of uniform, from the same parameters" in text
    assert "with gravity 2" not in text
    at = open_page(page_file(""), gravity=0.5, switch_gravity=2.0, epochs=4, seed=5)
    text = said(at)
    assert "on the same data and with the same gravity (0.5):" in text
    assert "Then 2 epochs of uniform with gravity 0.5, from the same parameters" in text


def test_a_switch_to_in_batch_says_what_the_logq_correction_did():
    """A review's link: a run that switches to a logQ strategy read the
    correction after the switch, and the page said nothing of it."""
    at = open_page("pages/train.py", strategy="positives-only", switch_at=7,
                   switch_to="in-batch", seed=13)
    assert no_exceptions(at)
    assert ("With the logQ correction positives-only (then in-batch after epoch 7)'s "
            "within-group recall@10 is **") in said(at)


def test_the_lessons_caption_promises_no_gap_where_the_two_shares_cannot_differ():
    """A review's link, /?dim=2&hidden=4: "the same share in all 2 dimensions
    ...: the gap between the two", where each picture shows one share."""
    at = open_page(page_file(""), dim=2, hidden=4, epochs=3, seed=123457)
    assert no_exceptions(at)
    text = said(at)
    assert "with 2 dimensions the picture is the whole embedding" in text
    assert "in all 2 dimensions" not in text
    # A review's link, /?groups=2&items_per_group=10&k=50: "20 nearest" of 20
    # items, 50% in 2D and in 16D for any model, read as a projection that loses nothing.
    text = said(open_page(page_file(""), groups=2, items_per_group=10, k=50, epochs=2))
    assert "here they are all 20 items, so the share is the same for any model" in text
    assert "what the projection loses" not in text


def test_compares_table_gives_no_verdict_where_its_sentences_give_none():
    """A review's link, /compare?groups=2&items_per_group=10&k=50: the
    sentences said "no verdict on this data", the table "neither"."""
    at = open_page("pages/compare.py", groups=2, items_per_group=10, k=50, epochs=2)
    assert no_exceptions(at)
    assert "no verdict at k = 50" in said(at)
    assert at.dataframe[0].value["verdict"].isna().all()  # shown as "–"


def test_a_switch_is_measured_against_the_same_run_without_it():
    """A review's links: "What the loss saw decided it" of a switch from uniform
    to uniform, and of a run only undertrained at an early switch."""
    at = open_page("pages/train.py", learning_rate=0.01, switch_at=1, switch_to="uniform",
                   epochs=4)
    assert no_exceptions(at)
    text = said(at)
    assert "The switch changed nothing the loss sees" in text
    assert "What the loss saw decided it" not in text
    at = open_page("pages/train.py", strategy="positives-only", switch_at=2, epochs=4, seed=7)
    assert no_exceptions(at)
    assert "The same run without the switch (4 epochs of positives-only) ends at " in said(at)
    lesson = said(open_page(page_file("")))
    assert ("The same run without the switch (15 epochs of positives-only) ends at "
            in lesson), lesson


@pytest.mark.parametrize("page", ["", "train"])
def test_no_sweep_warning_where_no_run_can_fold_or_separate(page):
    """A review's links, /train?strategy=uniform&leak=0.5&groups=2 and the
    Lesson's: "uniform separated on 0 of 10 seeds: the lesson did not hold
    there", one line above "no run can fold or separate" on this data."""
    at = open_page(page_file(page), leak=0.5, groups=2, epochs=3)
    assert no_exceptions(at)
    assert not [w.value for w in at.warning if "In the sweep" in w.value]
    assert "no verdict on this data" in said(at)
    # Where there is room, the warning stays (2 groups: positives-only folds on 3 of 10).
    at = open_page(page_file(page), groups=2, epochs=3, strategy="positives-only")
    assert [w.value for w in at.warning if "In the sweep" in w.value]


def test_the_lesson_points_at_uniform_pushing_groups_apart_only_where_it_did():
    """A review's link, /?l2=0.1: section 5 pointed at uniform's picture for
    negatives that push other groups' items down, where uniform folded."""
    pointer = "(`uniform` in the pictures above)"
    assert pointer in said(open_page(page_file(""), epochs=4, seed=11))
    at = open_page(page_file(""), l2=0.1, epochs=4, seed=11)
    assert no_exceptions(at)
    text = said(at)
    assert "**Here uniform (epochs 4, l2 0.1) does not separate the groups**" in text, text
    assert pointer not in text


def test_compare_says_what_it_leaves_of_the_link():
    """Reviews' links: /compare?switch_at=7 trained every strategy without the
    switch and did not say so; /compare?groups=2&items_per_group=50 said "only
    100 items, fewer than the 100 drawn", where a query has 95 to draw from."""
    at = open_page("pages/compare.py", groups=2, items_per_group=50, epochs=3, switch_at=2)
    assert no_exceptions(at)
    text = said(at)
    assert ("Every strategy here trains without the link's switch (then uniform after epoch "
            "2); the Train page shows the switched run.") in text
    assert ("Here the whole corpus holds only 95 items that are not a query's positives, "
            "fewer than the 100 drawn from it.") in text
