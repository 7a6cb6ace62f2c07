// Keyboard focus and the sidebar. Its open and close buttons are each removed
// as the sidebar opens or closes, and the focus with them: opened from the
// keyboard on a narrow screen, where the sidebar lies over the page, the next
// Tab went on into the page behind it. The focus now moves to the sidebar's
// close button when it opens and back to the open button when it closes, and
// on a narrow screen Escape closes it (as a dialog over a page closes).
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

// Focus ``selector`` once it can take it (the sidebar slides for about
// 0.3 s), unless the focus has meanwhile gone somewhere of its own.
function focusWhenShown(selector) {
  let tries = 0;
  const attempt = () => {
    const target = document.querySelector(selector);
    if (!focusLost()) return;
    if (target && target.checkVisibility({ visibilityProperty: true })) {
      target.focus();
    } else if (++tries < 20) {
      setTimeout(attempt, 50);
    }
  };
  setTimeout(attempt, 50);
}

export default function () {
  if (window.recdemoSidebarFocus) return;
  window.recdemoSidebarFocus = true;
  document.addEventListener("click", (event) => {
    if (!(event.target instanceof Element)) return;
    if (event.target.closest(OPEN)) focusWhenShown(CLOSE);
    else if (event.target.closest(CLOSE)) focusWhenShown(OPEN);
  }, true);
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !(event.target instanceof Element)) return;
    const sidebar = event.target.closest(SIDEBAR);
    const close = document.querySelector(CLOSE);
    // Over the page (a narrow screen): the sidebar covers most of its width.
    if (sidebar && close && sidebar.getBoundingClientRect().width > 0.6 * window.innerWidth) {
      close.click();  // its click listener above moves the focus
    }
  });
}
