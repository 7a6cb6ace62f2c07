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
// small panel. A name that would run past its picture's left or right edge
// (a group's center near that edge, in a narrow panel) is moved in just far
// enough; names that would overlap are then listed one under another, in the
// order of their centers from top to bottom, centered where those centers
// are on average, inside their picture. Measured on the names as drawn, at
// the chart's size, after every drawing and turn of a scene (a name's shift
// is the transform of a group plotly draws inside).
function stackNames(chart) {
  const pictures = new Map();
  for (const { holder, picture, top, bottom, left, right } of drawnNames(chart)) {
    const box = holder?.querySelector("text")?.getBoundingClientRect();
    if (!box?.height) continue;
    if (!pictures.has(picture)) pictures.set(picture, { top, bottom, names: [] });
    const [dx, dy] = holder.recdemoShift ?? [0, 0];
    const unshifted = box.top - dy;
    const x = Math.max(left, Math.min(box.left - dx, right - box.width));
    pictures.get(picture).names.push({ holder, unshifted, top: unshifted, height: box.height,
                                       left: x, right: x + box.width,
                                       dx: x - (box.left - dx) });
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
      const shift = [name.dx, name.top - name.unshifted];
      const [dx, dy] = name.holder.recdemoShift ?? [0, 0];
      if (shift[0] === dx && shift[1] === dy) continue;
      name.holder.recdemoShift = shift;
      name.holder.setAttribute("transform", `translate(${shift[0]},${shift[1]})`);
    }
  }
}

// Every group name the chart draws: the group to shift, its picture, and
// that picture's top, bottom, left and right on the screen.
function drawnNames(chart) {
  const layout = chart._fullLayout;
  const svg = chart.querySelector(".main-svg")?.getBoundingClientRect();
  if (!layout || !svg) return [];
  const names = [];
  for (const trace of chart.querySelectorAll(".scatterlayer .trace")) {
    const full = trace.__data__?.[0]?.trace;
    if (!String(full?.name).endsWith(" (name)")) continue;
    const x = layout[full.xaxis.replace("x", "xaxis")];
    const y = layout[full.yaxis.replace("y", "yaxis")];
    names.push({ holder: trace.querySelector("g.text"), picture: full.xaxis + full.yaxis,
                 top: svg.top + y._offset, bottom: svg.top + y._offset + y._length,
                 left: svg.left + x._offset, right: svg.left + x._offset + x._length });
  }
  for (const holder of chart.querySelectorAll("[class^='annotation-scene']")) {
    const picture = holder.getAttribute("class").replace("annotation-", "");
    const box = layout[picture]?._scene?.container?.getBoundingClientRect();
    if (box) {
      names.push({ holder, picture, top: box.top, bottom: box.bottom,
                   left: box.left, right: box.right });
    }
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
