// The group names of a chart's pictures, kept readable where groups fold:
// the app's chart component (ui/plot.py appends this file to ui/plot.js) and
// an exported HTML chart (recdemo/export.py) both run it.

// Names stacked after every drawing of ``chart`` (a first draw, a frame of
// playback, a resize) and each time a 3D scene draws its names anew (at each
// of its renders, a turn or a frame, after plotly's events).
function watchNames(chart) {
  for (const drawn of ["plotly_afterplot", "plotly_transitioned", "plotly_animated"]) {
    chart.on(drawn, () => stackNames(chart));
  }
  new MutationObserver((changes) => {
    const added = changes.some((change) => [...change.addedNodes].some(
      (node) => node.getAttribute?.("class")?.startsWith("annotation-scene")));
    if (added) requestAnimationFrame(() => stackNames(chart));
  }).observe(chart, { childList: true, subtree: true });
}

// Where groups fold, their names (at the center of each group's items: a
// text trace each in 2D, the scene's annotations in 3D; recdemo/figures/
// style.py) would be drawn over one another, unreadable on a phone or in a
// small panel. Names that would overlap are listed one under another, in the
// order of their centers from top to bottom, centered where those centers
// are on average, inside their picture; each keeps its own x. Measured on
// the names as drawn, at the chart's size, after every drawing and turn of
// a scene (a name's shift is the transform of a group plotly draws inside).
function stackNames(chart) {
  const pictures = new Map();
  for (const { holder, picture, top, bottom } of drawnNames(chart)) {
    const box = holder?.querySelector("text")?.getBoundingClientRect();
    if (!box?.height) continue;
    if (!pictures.has(picture)) pictures.set(picture, { top, bottom, names: [] });
    const unshifted = box.top - (holder.recdemoShift ?? 0);
    pictures.get(picture).names.push({ holder, unshifted, top: unshifted, height: box.height,
                                       left: box.left, right: box.right });
  }
  for (const { top, bottom, names } of pictures.values()) {
    let stacks = names.map((name) => [name]);
    for (let merged = true; merged;) {
      merged = false;
      for (let i = 0; i < stacks.length && !merged; i += 1) {
        for (let j = i + 1; j < stacks.length && !merged; j += 1) {
          if (stacks[i].some((a) => stacks[j].some((b) => overlap(a, b)))) {
            const stack = [...stacks[i], ...stacks[j]];
            stacks = [...stacks.filter((_, k) => k !== i && k !== j), stack];
            placeStack(stack, top, bottom);
            merged = true;
          }
        }
      }
    }
    for (const name of names) {
      const shift = name.top - name.unshifted;
      if (shift === (name.holder.recdemoShift ?? 0)) continue;
      name.holder.recdemoShift = shift;
      name.holder.setAttribute("transform", `translate(0,${shift})`);
    }
  }
}

// Every group name the chart draws: the group to shift, its picture, and
// that picture's top and bottom on the screen.
function drawnNames(chart) {
  const layout = chart._fullLayout;
  const svg = chart.querySelector(".main-svg")?.getBoundingClientRect();
  if (!layout || !svg) return [];
  const names = [];
  for (const trace of chart.querySelectorAll(".scatterlayer .trace")) {
    const full = trace.__data__?.[0]?.trace;
    if (!String(full?.name).endsWith(" (name)")) continue;
    const y = layout[full.yaxis.replace("y", "yaxis")];
    names.push({ holder: trace.querySelector("g.text"), picture: full.xaxis + full.yaxis,
                 top: svg.top + y._offset, bottom: svg.top + y._offset + y._length });
  }
  for (const holder of chart.querySelectorAll("[class^='annotation-scene']")) {
    const picture = holder.getAttribute("class").replace("annotation-", "");
    const box = layout[picture]?._scene?.container?.getBoundingClientRect();
    if (box) names.push({ holder, picture, top: box.top, bottom: box.bottom });
  }
  return names;
}

// Two names' boxes share more than a pixel each way (their left and right as
// drawn, their top as placed).
function overlap(a, b) {
  return a.left + 1 < b.right && b.left + 1 < a.right
    && a.top + 1 < b.top + b.height && b.top + 1 < a.top + a.height;
}

// One name under another, from the highest center to the lowest, centered on
// their centers' mean, moved inside the picture (from ``top`` to ``bottom``).
function placeStack(stack, top, bottom) {
  const center = (name) => name.unshifted + name.height / 2;
  stack.sort((a, b) => center(a) - center(b) || a.left - b.left);
  const height = stack.reduce((sum, name) => sum + name.height, 0);
  const middle = stack.reduce((sum, name) => sum + center(name), 0) / stack.length;
  let next = Math.max(top, Math.min(middle - height / 2, bottom - height));
  for (const name of stack) {
    name.top = next;
    next += name.height;
  }
}
