"""The app's own CSS, and the presenter's type size (its charts follow it).

page_setup (ui/settings.py) adds FOCUS_CSS to every page, PRESENTER_CSS in
presenter view.
"""

# Presenter view: hide the sidebar and Streamlit's toolbar; larger type for the back row,
# in the charts too (their usual size is figures.FONT). The first screen is for the
# picture (ui/layout.py): little padding and a compact title, and the numbers beside
# the picture are smaller than a row of them would be, their labels wrapped, not cut.
# Captions darker than Streamlit's (its 0.6 opacity): a projector washes out grey.
# Controls beside a picture (ui/layout.py's column_beside, CONTROLS_BESIDE) go above
# it, two to a row, on a screen between a phone's (where Streamlit stacks columns,
# picture first) and a projector's.
PRESENTER_FONT_SIZE = 20
# A closed sidebar (a phone's, at first) lies off the screen's left side, but Streamlit
# leaves its links and controls in the Tab order: some thirty stops a keyboard cannot
# see before the page's first. Closed, it is hidden once it has slid away (its 0.3 s).
# (Its help icons are visible by a rule of their own: they are hidden by name.)
# Open, its close button shows while the focus is in it: Streamlit shows it on
# hover only, where the sidebar does not start open, and a keyboard could not
# close it (ui/sidebar_focus.js). On a touch screen (no hover) it shows always:
# the first tap on its blank spot only showed it (a review, a tablet).
SIDEBAR_CSS = """<style>
[data-testid="stSidebar"][data-collapsed="true"] { visibility: hidden;
  transition: transform 0.3s, min-width 0.3s, max-width 0.3s, visibility 0s 0.3s; }
[data-testid="stSidebar"][data-collapsed="true"] * { visibility: hidden !important;
  transition: visibility 0s 0.3s !important; }
[data-testid="stSidebar"][data-collapsed="false"]:focus-within
  :is([data-testid="stSidebarCollapseButton"], [data-testid="stSidebarCollapseButton"] *) {
  visibility: visible !important; }
@media (hover: none) {
  [data-testid="stSidebar"][data-collapsed="false"]
    :is([data-testid="stSidebarCollapseButton"], [data-testid="stSidebarCollapseButton"] *) {
    visibility: visible !important; } }
</style>"""
# The choice a keyboard is on, outlined in the theme's blue (3:1 and more against
# white and grey): Streamlit marks a focused radio option with a light grey box
# alone, about 1.1:1, which a keyboard user on a projector cannot find.
# The same for a page link in the sidebar: Streamlit gives a focused one the grey
# box it also gives the current page's, so on that link the focus did not show.
FOCUS_CSS = """<style>
[data-testid="stRadio"] label:has(input:focus-visible) {
  outline: 3px solid #0072B2; outline-offset: 2px; border-radius: 4px; }
[data-testid="stPageLink-NavLink"]:focus-visible {
  outline: 3px solid #0072B2; outline-offset: -3px; }
</style>""" + SIDEBAR_CSS
PRESENTER_CSS = FOCUS_CSS + """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stToolbar"], [data-testid="stHeader"] { display: none !important; }
html { font-size: 22px; }
[data-testid="stMainBlockContainer"] { padding: 0.8rem 1rem 3rem; max-width: none; }
h1 { font-size: 1.6rem !important; padding: 0 !important; }
h2 { font-size: 1.4rem !important; }
h3 { font-size: 1.2rem !important; }
[data-testid="stCaptionContainer"] { opacity: 0.85; }
[data-testid="stMetricValue"] { font-size: 2rem; }
[data-testid="stMetricLabel"] * { white-space: normal !important; overflow: visible !important; }
[data-testid="stColumn"]:has([data-testid="stMetric"]) > [data-testid="stVerticalBlock"] {
  gap: 0.5rem; }
[data-testid="stMetricLabel"] * { overflow-wrap: normal !important; word-break: normal !important; }
@media (min-width: 641px) and (max-width: 1000px) {
  .st-key-controls_beside [data-testid="stHorizontalBlock"] { row-gap: 1rem; }
  .st-key-controls_beside [data-testid="stColumn"] { flex: 1 1 100%; min-width: 100%; }
  .st-key-controls_beside [data-testid="stColumn"]:last-child { order: -1; }
  .st-key-controls_beside [data-testid="stColumn"]:last-child > [data-testid="stVerticalBlock"] {
    flex-flow: row wrap; column-gap: 1.5rem; }
  .st-key-controls_beside [data-testid="stColumn"]:last-child [data-testid="stElementContainer"] {
    flex: 1 1 calc(50% - 1.5rem); min-width: 12rem; }
  .st-key-controls_beside [data-testid="stColumn"]:last-child
    [data-testid="stElementContainer"]:has([data-testid="stCaptionContainer"]) { flex-basis: 100%; }
}
[data-testid="stLayoutWrapper"]:has(> .st-key-for_screen_readers) {
  position: absolute !important; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; }
</style>"""
