// One plotly chart (ui/plot.py): drawn on the first render, then updated in
// place with Plotly.react, so the browser keeps the chart's DOM (and, in 3D,
// its WebGL context) from one page run to the next. An animated chart gets
// Play/Pause and its frame as page controls a keyboard reaches (data.playback),
// and the run's numbers as cards that show the frame on screen (data.cards).
const STYLE = `
.recdemo-cards { display: flex; flex-wrap: wrap; gap: 0.4rem 1.6rem; margin: 0 0 0.4rem; }
.recdemo-beside { display: grid; grid-template-columns: minmax(0, 1fr) auto;
  grid-template-rows: auto 1fr; column-gap: 1rem; }
.recdemo-beside > .recdemo-chart { grid-column: 1; grid-row: 1 / span 2; min-width: 0; }
.recdemo-beside > .recdemo-cards { grid-column: 2; grid-row: 1; flex-direction: column;
  flex-wrap: nowrap; align-self: start; max-width: 7rem; margin-top: 0.5rem; }
.recdemo-beside > .recdemo-playback { grid-column: 2; grid-row: 2; align-self: start;
  max-width: 7rem; gap: 0.3rem; margin-top: 0; }
.recdemo-card-label { font-size: 0.85rem; }
.recdemo-card-label, .recdemo-card-value, .recdemo-card-delta { overflow-wrap: normal;
  word-break: normal; hyphens: none; }
.recdemo-card-value { font-size: 1.9rem; line-height: 1.15; }
.recdemo-card-delta { font-size: 0.85rem; font-weight: 600; }
.recdemo-card-delta.better { color: #1a6b2e; }
.recdemo-card-delta.worse { color: #a4161a; }
.recdemo-playback { display: flex; align-items: center; gap: 0.8rem; flex-wrap: wrap;
  margin: 0.3rem 0 0.6rem; }
.recdemo-playback button { font: inherit; padding: 0.25rem 0.9rem; border: 1px solid #555;
  border-radius: 0.4rem; background: #fff; color: #111; cursor: pointer; }
.recdemo-playback input[type=range] { flex: 1 1 12rem; max-width: 32rem; accent-color: #0072b2; }
.recdemo-playback button:focus-visible, .recdemo-playback input:focus-visible {
  outline: 3px solid #0072b2; outline-offset: 2px; }
.recdemo-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; }
`;

function element(parent, tag, className, before = null) {
  let found = parent.querySelector(`:scope > .${className}`);
  if (!found) {
    found = document.createElement(tag);
    found.className = className;
    parent.insertBefore(found, before);
  }
  return found;
}

export default function ({ parentElement, data: sent, setTriggerValue }) {
  // One JSON text, sent as bytes, with the figure's JSON inside it as the
  // server wrote it once for every browser (ui/plot.py).
  const data = JSON.parse(new TextDecoder().decode(sent));
  // A tab whose socket moves to another process (its own died, in a lecture
  // hall) has a new session there, which runs nothing until asked, and a
  // click sent meanwhile was lost with the old socket: once a new socket is
  // open, ask for a run with the values the controls show (the click among
  // them; ui/widget_guard.py takes them).
  window.recdemoReconnected ??= (() => {
    const watch = { rerun: null };
    const Native = window.WebSocket;
    window.WebSocket = class extends Native {
      constructor(url, protocols) {
        super(url, protocols);
        if (String(url).endsWith("/_stcore/stream")) {
          this.addEventListener("open", () => setTimeout(() => watch.rerun?.(), 500));
        }
      }
    };
    return watch;
  })();
  window.recdemoReconnected.rerun = () => setTriggerValue("reconnected", Date.now());
  window.recdemoPlotly ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = data.plotly;
    script.onload = () => resolve(window.Plotly);
    script.onerror = () => reject(new Error(`recdemo: could not load ${data.plotly}`));
    document.head.appendChild(script);
  });
  if (!document.getElementById("recdemo-plot-style")) {
    const style = document.createElement("style");
    style.id = "recdemo-plot-style";
    style.textContent = STYLE;
    document.head.appendChild(style);
  }
  const chart = element(parentElement, "div", "recdemo-chart");
  const cards = data.cards ? element(parentElement, "div", "recdemo-cards", chart) : null;
  // On a projector the numbers go beside the picture: it keeps the screen's height.
  // Not on a narrower screen (a tablet, a phone): above it, the picture keeps its width.
  parentElement.classList.toggle("recdemo-beside", Boolean(data.cards?.beside)
    && parentElement.clientWidth >= BESIDE_FROM);
  const controls = data.playback ? element(parentElement, "div", "recdemo-playback") : null;
  describe(parentElement, chart, data.alt);
  const figure = data.figure;
  // The app's own typeface, as Streamlit's charts have it.
  figure.layout.font = {
    family: getComputedStyle(parentElement.host ?? parentElement).fontFamily,
    ...figure.layout.font,
  };
  // A changed config makes Plotly.react draw the chart anew, and the PNG's
  // file name changes with the run: it goes into an object the chart keeps.
  const { toImageButtonOptions, ...config } = data.config;
  chart.recdemoImage ??= {};
  Object.assign(chart.recdemoImage, toImageButtonOptions);
  const render = (chart.recdemoRender ?? 0) + 1;
  chart.recdemoRender = render;
  chart.recdemoShown = { playback: data.playback, cards: data.cards };
  chart.recdemoFigure = figure;
  // The numbers first: beside the picture, their width decides the chart's.
  fillCards(cards, data.cards, data.playback ? data.playback.active : -1);
  const draw = () => window.recdemoPlotly
    .then((Plotly) => {
      if (render !== chart.recdemoRender) return false;
      // The layout for the chart's width (recdemo/figures/fit.py), and on a
      // phone no toolbar: it would lie over the title. Drawn at the element's
      // width and the layout's own height, both fixed: plotly's "responsive"
      // resize (and Plots.resize) turned autosize on, which took the height
      // from this element's, none, and laid the chart over the page below it
      // after a width change (a review: the sidebar collapsed, a tablet
      // turned). watchWidth follows a new width.
      const width = chart.getBoundingClientRect().width || parentElement.clientWidth;
      // A new render stops a replay under way: plotly would go on animating
      // the old frames under the new chart while the button said Play, and
      // Pause could no longer stop them (a review: a query inspected, or the
      // seed changed, while the epochs played).
      if (chart.recdemoPlaying) pause(chart);
      const { fitted, choice } = fit(figure, width);
      chart.recdemoFit = choice;
      chart.recdemoWidth = width;
      return Plotly.react(chart, {
        ...fitted, layout: { ...fitted.layout, width, autosize: false },
        config: { ...config, toImageButtonOptions: chart.recdemoImage,
                  displayModeBar: width < NO_TOOLBAR_BELOW ? false : "hover" } });
    })
    .then((drawn) => {
      if (!drawn) return;  // a newer render took over
      chart.recdemoRedraw = draw;
      watchWidth(chart);
      keepPointerToolsOutOfTabOrder(chart);
      chart.recdemoClicked = data.clickable ? setTriggerValue : null;  // this render's
      if (!chart.recdemoListens) {
        chart.recdemoListens = true;
        chart.on("plotly_click", (event) => {
          const point = event.points[0];
          chart.recdemoClicked?.("click", { trace: point.curveNumber, id: point.customdata });
        });
        chart.on("plotly_animatingframe", (event) => showFrame(chart, event.name));
        watchNames(chart);
        letTheWheelScroll(chart);
      }
      stackNames(chart);
      if (controls) setUpPlayback(chart, controls);
      const playback = data.playback;
      showFrame(chart, playback ? playback.frames[playback.active] : null, cards);
      followWidth(chart);
    });
  // A chart below the fold is updated after the browser has painted the
  // screen, so the chart the student looks at shows the change first.
  const belowTheFold = chart.getBoundingClientRect().top > window.innerHeight;
  if (belowTheFold && chart.data) {
    requestAnimationFrame(() => setTimeout(draw, 0));
  } else {
    draw();
  }
}

// From this width (px) of the chart's element up, its numbers may go beside it.
const BESIDE_FROM = 900;

// A chart whose width changes (a phone turned, the sidebar opened) is drawn
// again if another of its layouts fits the new width, and otherwise only
// widened or narrowed: its frame and playback stay where the student left them.
function watchWidth(chart) {
  if (chart.recdemoObserver) return;
  chart.recdemoObserver = new ResizeObserver(() => followWidth(chart));
  chart.recdemoObserver.observe(chart);
}

// Also called when a drawing ends: the width may have changed again while
// plotly drew (a sidebar opening as the screen turns). Compared with the width
// plotly drew, not the one asked: a relayout asked during a redraw may land first.
function followWidth(chart) {
  const width = chart.getBoundingClientRect().width;
  const drawn = chart._fullLayout?.width ?? chart.recdemoWidth;
  if (!width || Math.abs(width - drawn) < 1 || !chart.recdemoFigure) return;
  if (fit(chart.recdemoFigure, width).choice !== chart.recdemoFit) {
    chart.recdemoRedraw?.();
  } else {
    chart.recdemoWidth = width;
    window.Plotly.relayout(chart, { width })
      .then(() => { stackNames(chart); followWidth(chart); }, () => {});
  }
}

// With scrollZoom off, plotly's 3D scene no longer zooms on the wheel but
// still prevents its default, the page's scroll (plotly/plotly.js#6458: its
// wheel listener calls preventDefault on every event). A wheel over a scene is
// kept from plotly's listeners (stopped on its way down, at the chart) and
// scrolls the page.
function letTheWheelScroll(chart) {
  chart.addEventListener("wheel", (event) => {
    const layout = chart._fullLayout;
    if (!layout || chart._context?._scrollZoom?.gl3d) return;
    const overScene = Object.keys(layout).some((key) => /^scene\d*$/.test(key)
      && layout[key]._scene?.container?.contains(event.target));
    if (overScene) event.stopPropagation();
  }, { capture: true, passive: true });
}

// The toolbar's pointer tools (zoom, pan, orbit, lasso, reset...) do nothing a
// keyboard can use, and were 11 Tab stops between a page's controls and its
// playback (a review): out of the Tab order, all but the picture's download.
function keepPointerToolsOutOfTabOrder(chart) {
  chart.querySelectorAll(".modebar-btn").forEach((button) => {
    if (!/png/i.test(button.getAttribute("data-title") ?? "")) button.tabIndex = -1;
  });
}

// A text alternative: what the chart shows, with its main numbers, for a screen reader.
function describe(parent, chart, text) {
  if (!text) return;
  const note = element(parent, "p", "recdemo-hidden");
  if (!note.id) note.id = `recdemo-alt-${Math.random().toString(36).slice(2)}`;
  note.textContent = text;
  chart.setAttribute("aria-describedby", note.id);
}

// Play/Pause (a button) and the frame (a range input): built once per chart,
// reading the playback of the chart's latest render.
function setUpPlayback(chart, controls) {
  if (!controls.recdemoReady) {
    controls.recdemoReady = true;
    controls.setAttribute("role", "group");
    controls.setAttribute("aria-label", "Replay training");
    const button = document.createElement("button");
    button.type = "button";
    const range = document.createElement("input");
    range.type = "range";
    range.min = "0";
    range.step = "1";
    const shown = document.createElement("output");
    controls.append(button, range, shown);
    button.addEventListener("click", () => (chart.recdemoPlaying ? pause(chart) : play(chart)));
    range.addEventListener("input", () => {
      if (chart.recdemoPlaying) pause(chart);
      goTo(chart, chart.recdemoShown.playback.frames[Number(range.value)]);
    });
  }
  const playback = chart.recdemoShown.playback;
  const range = controls.querySelector("input");
  range.max = String(playback.frames.length - 1);
  range.setAttribute("aria-label", playback.label);
  chart.recdemoControls = controls;
  chart.recdemoPlaying = false;
  playing(chart, false);
}

const reducedMotion = () => window.matchMedia("(prefers-reduced-motion: reduce)").matches;

function goTo(chart, name) {
  window.Plotly.animate(chart, [name], {
    frame: { duration: 0, redraw: true }, transition: { duration: 0 }, mode: "immediate",
  }).catch(() => {});
  showFrame(chart, name);
}

function play(chart) {
  const { frames, frame_ms, glide_ms } = chart.recdemoShown.playback;
  const at = frames.indexOf(chart.recdemoFrame);
  const next = at < 0 || at === frames.length - 1 ? 0 : at + 1;
  playing(chart, true);
  window.Plotly.animate(chart, frames.slice(next), {
    frame: { duration: frame_ms, redraw: true },
    transition: { duration: reducedMotion() ? 0 : glide_ms, easing: "cubic-in-out" },
    mode: "immediate",
  }).then(() => playing(chart, false), () => {});  // rejected when paused
}

function pause(chart) {
  playing(chart, false);
  window.Plotly.animate(chart, [null], {
    frame: { duration: 0, redraw: false }, transition: { duration: 0 }, mode: "immediate",
  }).catch(() => {});
}

function playing(chart, on) {
  chart.recdemoPlaying = on;
  const button = chart.recdemoControls?.querySelector("button");
  if (!button) return;
  button.textContent = on ? "❚❚ Pause" : "▶ Play";
  button.setAttribute("aria-label", on ? "Pause" : "Play");
}

// What the controls and the cards say about the frame on screen.
function showFrame(chart, name, cards = null) {
  const { playback, cards: numbers } = chart.recdemoShown;
  chart.recdemoCards = cards ?? chart.recdemoCards;
  if (!playback || name == null) {
    fillCards(chart.recdemoCards, numbers, -1);
    return;
  }
  chart.recdemoFrame = name;
  const index = playback.frames.indexOf(name);
  const last = playback.frames.length - 1;
  const controls = chart.recdemoControls;
  if (controls) {
    const range = controls.querySelector("input");
    const text = `${playback.label} ${index} of ${last}`;
    range.value = String(index);
    range.setAttribute("aria-valuetext", text);
    controls.querySelector("output").textContent = text;
  }
  fillCards(chart.recdemoCards, numbers, index);
}

function fillCards(holder, numbers, index) {
  if (!holder || !numbers) return;
  if (holder.children.length !== numbers.cards.length) {
    holder.replaceChildren(...numbers.cards.map(() => {
      const card = document.createElement("div");
      card.className = "recdemo-card";
      card.innerHTML = '<div class="recdemo-card-label"></div><div class="recdemo-card-value">'
        + '</div><div class="recdemo-card-delta"></div>';
      return card;
    }));
  }
  numbers.cards.forEach((card, i) => {
    const at = index < 0 ? card.values.length - 1 : index;
    const box = holder.children[i];
    box.title = card.help ?? (numbers.against ? `change against ${numbers.against}` : "");
    box.querySelector(".recdemo-card-label").textContent = card.label;
    box.querySelector(".recdemo-card-value").textContent = card.values[at];
    const delta = box.querySelector(".recdemo-card-delta");
    const change = card.deltas ? card.deltas[at] : "";
    const up = change.startsWith("+") && change !== "+0.00";
    const down = change.startsWith("-");
    // Better or worse in words too, not in its color alone (a review, under
    // simulated color blindness): down is better for spurious@k.
    const verdict = (up || down) ? ((up !== card.lower_is_better) ? "better" : "worse") : "";
    delta.textContent = change ? `${up ? "▲" : down ? "▼" : ""} ${change} ${verdict}`.trim() : "";
    delta.className = `recdemo-card-delta ${verdict}`.trim();
  });
}
