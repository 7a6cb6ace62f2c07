"""axe-core on a page of the app, and which of its findings are the app's own.

axe-core comes with the PyPI package axe-playwright-python (pinned in
requirements.txt), which bundles axe.min.js; it is imported only when a
check runs, so that importing the harness needs nothing but the library.

What is the app's own markup, and what is Streamlit's:

- Streamlit's own widgets are the parts of the page Streamlit draws from
  its own markup, where the app gives nothing but a label or a value: the
  header and its toolbar, the skip link, the sidebar's header, page
  navigation, resize handle and collapse buttons, the controls of the input
  widgets (sliders, number inputs, select boxes, radios, toggles, buttons,
  download and link buttons), the help icons beside them, and the toolbars
  Streamlit puts over tables and code (STREAMLIT_OWN).
- Everything else is the app's: headings, text, links, alerts, formulas,
  expanders and their content, tables and data frames (their column names
  are the app's), the charts (ui/plot.js draws them), the page's CSS.
- Even inside Streamlit's widgets, a violation of a rule about a name, a
  label or a text that the app gives (APP_NAMED: a button, a link or a field
  without a name, an image without its alternative text, an empty heading
  or table header, the heading order) is the app's: Streamlit draws the
  widget, the app names it.
- axe reports a color contrast it cannot decide as "incomplete", not as a
  violation; axe-core 4.12 (the package's) did so for the sidebar's faded
  source link that 4.14 measured at 2.8:1. Such a node counts as a
  violation too when it is the app's text, except in a formula, whose
  glyphs KaTeX sets in overlapping boxes, and in a chart's SVG, whose texts
  lie over plotly's layers: axe cannot place them over a background
  (UNDECIDABLE). A contrast axe does decide counts there as anywhere.

A node that axe reaches through a frame or a shadow root (a target of more
than one selector) is never Streamlit's: the app draws none, so one is news.
"""

from __future__ import annotations

# Streamlit's own markup, by its data-testid (Streamlit 1.67).
STREAMLIT_OWN = ", ".join(f"[data-testid='{testid}']" for testid in (
    "stHeader", "stSkipToContent", "stSidebarHeader", "stPageLink", "stSidebarResizeHandle",
    "stSidebarCollapseButton", "stSidebarCollapsedControl", "stSlider", "stNumberInput",
    "stSelectbox", "stRadio", "stCheckbox", "stButton", "stDownloadButton", "stLinkButton",
    "stTooltipIcon", "stElementToolbar", "stBaseButton-elementToolbar"))
# Rules about what the app writes, even inside Streamlit's own widgets.
APP_NAMED = frozenset({
    "label", "label-title-only", "button-name", "link-name", "input-button-name",
    "select-name", "aria-input-field-name", "aria-toggle-field-name", "aria-command-name",
    "aria-tooltip-name", "image-alt", "svg-img-alt", "role-img-alt", "empty-heading",
    "empty-table-header", "heading-order", "document-title", "frame-title",
})
# Where axe cannot decide a contrast: formulas (KaTeX) and charts' SVG.
UNDECIDABLE = ".katex, svg"

_WHERE = """([selector, own, undecidable]) => {
    const node = document.querySelector(selector);
    return {own: !!node?.closest(own), undecidable: !!node?.closest(undecidable)};
}"""


def show_whole_page(tab, limit: int = 8000) -> None:
    """Make the viewport as tall as the page's longest part (Streamlit scrolls
    inside the main area and the sidebar, not the document): axe-core checks
    the contrast of no text outside the viewport."""
    height = tab.evaluate("""() => Math.max(...Array.from(document.querySelectorAll(
        "[data-testid='stMain'], [data-testid='stSidebarContent']"), part => part.scrollHeight))""")
    screen = tab.viewport_size
    tab.set_viewport_size({"width": screen["width"], "height": min(max(height, screen["height"]),
                                                                   limit)})
    tab.wait_for_timeout(500)  # let the charts follow the new layout


def axe_results(tab, axe_js: str | None = None) -> dict:
    """axe-core's violations and undecided results on the page in ``tab``, as
    it is now; ``axe_js``: another axe.min.js's text than the package's."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe(axe_js) if axe_js else Axe()
    return axe.run(tab, options={"resultTypes": ["violations", "incomplete"]}).response


def app_violations(tab, results: dict | None = None) -> list[dict]:
    """The findings of axe-core (``results``, else a run now) on the app's own
    markup, by the rule of this module's docstring: one dict per rule and
    node, with the rule, the node's target, its HTML and axe's message."""
    results = results if results is not None else axe_results(tab)
    found = []
    for kind in ("violations", "incomplete"):
        for rule in results[kind]:
            if kind == "incomplete" and rule["id"] != "color-contrast":
                continue
            for node in rule["nodes"]:
                checks = node["any"] + node["all"] + node["none"]
                where = (tab.evaluate(_WHERE, [node["target"][0], STREAMLIT_OWN, UNDECIDABLE])
                         if len(node["target"]) == 1 else {"own": False, "undecidable": False})
                if where["own"] and rule["id"] not in APP_NAMED:
                    continue
                if kind == "incomplete" and where["undecidable"]:
                    continue
                found.append({"rule": rule["id"], "undecided": kind == "incomplete",
                              "target": node["target"], "html": node["html"][:200],
                              "message": "; ".join(check["message"] for check in checks)})
    return found
