// Keyboard focus and the sidebar. Its open and close buttons are each removed
// as the sidebar opens or closes, and the focus with them: opened from the
// keyboard on a narrow screen, where the sidebar lies over the page, the next
// Tab went on into the page behind it. The focus now moves to the sidebar's
// close button (or its first link) when it opens and back to the open button
// when it closes, and where it lies over the page Escape closes it (as a
// dialog over a page closes), as a page link tapped in it does; ui/styles.py
// shows its close button while the focus is in it.
// Set up once per browser tab: the listeners are the document's.
const OPEN = "[data-testid='stExpandSidebarButton']";
const CLOSE = "[data-testid='stSidebarCollapseButton'] button";
const SIDEBAR = "[data-testid='stSidebar']";

// Has the focus gone with a button, to the page's body or into a closed sidebar?
function focusLost() {
  const focused = document.activeElement;
  return !focused || focused === document.body
    || focused.closest(`${SIDEBAR}[data-collapsed='true']`) !== null;
}

// Focus the first of ``selector`` that can take it once it can (the sidebar
// slides for about 0.3 s), unless the focus has meanwhile gone somewhere of
// its own.
function focusWhenShown(selector) {
  let tries = 0;
  const attempt = () => {
    if (!focusLost()) return;
    const target = [...document.querySelectorAll(selector)]
      .find((element) => element.checkVisibility({ visibilityProperty: true }));
    if (target) {
      target.focus();
    } else if (++tries < 20) {
      setTimeout(attempt, 50);
    }
  };
  setTimeout(attempt, 50);
}

// Does the open sidebar lie over the page (a narrow screen), not beside it?
function overThePage(sidebar) {
  const main = document.querySelector("[data-testid='stMain']");
  return main !== null && main.getBoundingClientRect().left
    < sidebar.getBoundingClientRect().right - 1;
}

export default function () {
  if (window.recdemoSidebarFocus) return;
  window.recdemoSidebarFocus = true;
  document.addEventListener("click", (event) => {
    if (!(event.target instanceof Element)) return;
    // The close button, or where Streamlit shows it on hover only (a
    // tablet's width), the sidebar's first link.
    if (event.target.closest(OPEN)) focusWhenShown(`${CLOSE}, ${SIDEBAR} a[href]`);
    else if (event.target.closest(CLOSE)) focusWhenShown(OPEN);
    // A page link tapped where the sidebar lies over the page (a phone): the
    // new page shows, not the sidebar over it, as Streamlit's own navigation
    // does (a review: it stayed over 80% of the new page).
    const sidebar = event.target.closest(SIDEBAR);
    if (sidebar && event.target.closest(".st-key-navigation a[href]") && overThePage(sidebar)) {
      setTimeout(() => document.querySelector(CLOSE)?.click(), 0);
    }
  }, true);
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !(event.target instanceof Element)) return;
    const sidebar = event.target.closest(SIDEBAR);
    const close = document.querySelector(CLOSE);
    if (sidebar && close && overThePage(sidebar)) {
      close.click();  // its click listener above moves the focus
    }
  });
}
