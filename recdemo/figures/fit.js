// The layout of a figure for the width it is drawn at (recdemo/figures/fit.py
// builds the figure and its narrower variants): the app's chart component
// (ui/plot.py appends this file to ui/plot.js) and an exported HTML chart
// (recdemo/export.py) both run it.

// Below this width (px) a chart has no toolbar: a phone's.
const NO_TOOLBAR_BELOW = 480;

// The figure as drawn at ``width`` px: the widest of its layouts (its own and
// its narrower variants, recdemo/figures/fit.py) that is for a chart at most
// that wide, in em of its font; returns it and which layout it is.
function fit(figure, width) {
  const recdemo = figure.layout.meta?.recdemo;
  const toolbar = width < NO_TOOLBAR_BELOW ? "none" : "hover";
  if (!recdemo) return { fitted: figure, choice: `own ${toolbar}` };
  const em = width / figure.layout.font.size;
  const layouts = [{ min_em: recdemo.min_em }, ...recdemo.variants];
  const fitting = layouts.filter((layout) => layout.min_em <= em);
  const pick = (list, better) => list.reduce((a, b) => (better(b, a) ? b : a));
  const chosen = fitting.length ? pick(fitting, (b, a) => b.min_em > a.min_em)
    : pick(layouts, (b, a) => b.min_em < a.min_em);
  const choice = `${chosen.min_em} ${toolbar}`;
  if (!chosen.layout) return { fitted: figure, choice };
  const fitted = { ...figure, layout: merged(figure.layout, chosen.layout) };
  if (figure.frames && chosen.frames) {
    fitted.frames = figure.frames.map((frame, i) => (
      { ...frame, layout: merged(frame.layout ?? {}, chosen.frames[i]) }));
  }
  return { fitted, choice };
}

// ``patch`` over ``base``, neither changed: objects key by key, arrays item by
// item (the patch's array sets the length), anything else the patch's.
function merged(base, patch) {
  if (Array.isArray(patch)) {
    return patch.map((item, i) => merged(Array.isArray(base) ? base[i] : undefined, item));
  }
  if (patch === null || typeof patch !== "object") return patch;
  if (base === null || typeof base !== "object" || Array.isArray(base)) base = {};
  const result = { ...base };
  for (const [key, value] of Object.entries(patch)) result[key] = merged(base[key], value);
  return result;
}
