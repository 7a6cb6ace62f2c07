// One plotly chart (ui/plot.py): drawn on the first render, then updated in
// place with Plotly.react, so the browser keeps the chart's DOM (and, in 3D,
// its WebGL context) from one page run to the next.
export default function ({ parentElement, data, setTriggerValue }) {
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
  let chart = parentElement.querySelector(".recdemo-chart");
  if (!chart) {
    chart = document.createElement("div");
    chart.className = "recdemo-chart";
    parentElement.appendChild(chart);
  }
  const figure = JSON.parse(data.figure);
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
  const draw = () => window.recdemoPlotly
    .then((Plotly) => render === chart.recdemoRender && Plotly.react(chart, {
      ...figure, config: { ...config, toImageButtonOptions: chart.recdemoImage } }))
    .then(() => {
      chart.recdemoClicked = data.clickable ? setTriggerValue : null;  // this render's
      if (!chart.recdemoListens) {
        chart.recdemoListens = true;
        chart.on("plotly_click", (event) => {
          const point = event.points[0];
          chart.recdemoClicked?.("click", { trace: point.curveNumber, id: point.customdata });
        });
      }
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
