// Drawing a chart from core's spec, shared by the chart component (chart.js) and the
// live panel (live_panel.js): load Plotly.js once, theme the spec, Plotly.react in place,
// and "Show the numbers" tables.
// Plotly.js is the copy inside the installed plotly package, served by the app
// itself at window.__explorerPlotlySrc (set by ui/chart.py): nothing is downloaded.

// One load per page, shared by every component that draws charts (each has its own module scope).
function plotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!window.__explorerPlotlyLoading) {
    window.__explorerPlotlyLoading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = new URL(window.__explorerPlotlySrc, document.baseURI).href;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => { window.__explorerPlotlyLoading = null; reject(new Error("plotly.min.js could not be loaded")); };
      document.head.appendChild(script);
    });
  }
  return window.__explorerPlotlyLoading;
}

// The numbers behind the chart, as tables built with textContent (never markup).
function renderTables(box, tables) {
  const key = JSON.stringify(tables);
  if (box.__key === key) return;
  box.__key = key;
  box.replaceChildren();
  for (const t of tables) {
    const table = document.createElement("table");
    if (t.caption) table.createCaption().textContent = t.caption;
    const head = table.createTHead().insertRow();
    for (const h of t.header) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = h;
      head.appendChild(th);
    }
    const body = table.createTBody();
    for (const r of t.rows) {
      const row = body.insertRow();
      r.forEach((v, i) => {
        const cell = document.createElement(i === 0 ? "th" : "td");
        if (i === 0) cell.scope = "row";
        cell.textContent = v;
        row.appendChild(cell);
      });
    }
    box.appendChild(table);
  }
}

// Light or dark theme: chart text takes the page's text colour, and on a dark page the
// black lines and outlines of the specs (and Plotly's default #444) become that colour too, and
// the white boxes behind labels (annotations) become dark, so their now light text stays readable.
const DARK_ONLY = new Set(["#000000", "#444444", "#444"]);
const LIGHT_BOXES = new Set(["rgba(255,255,255,0.85)"]); // not #ffffff: the true class's hatch stays white

function themed(spec, textColor) {
  const rgb = (textColor.match(/\d+(\.\d+)?/g) || ["0", "0", "0"]).slice(0, 3).map(Number);
  const dark = (0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]) / 255 > 0.5; // light text: dark page
  const swap = (value) => {
    if (Array.isArray(value)) return value.map(swap);
    if (value && typeof value === "object") {
      const out = {};
      for (const [k, v] of Object.entries(value)) out[k] = swap(v);
      return out;
    }
    if (!dark || typeof value !== "string") return value;
    const v = value.toLowerCase().replace(/\s+/g, "");
    if (DARK_ONLY.has(v)) return textColor;
    return LIGHT_BOXES.has(v) ? "rgba(14,17,23,0.85)" : value;
  };
  const layout = swap(spec.layout);
  layout.font = { ...(layout.font || {}), color: textColor };
  return { data: swap(spec.data), layout };
}


// A chart's elements: the plot, then "Show the numbers" (styled by ui/chart.py's CHART_CSS).
const CHART_HTML = '<div class="explorer-chart"></div>' +
  '<details class="explorer-numbers"><summary>Show the numbers</summary><div class="tables"></div></details>';

// Draw `data` ({spec, alt, tables}) into `holder` (given CHART_HTML the first time); `config` is
// Plotly's config. Redraws in place.
function drawChart(holder, data, config) {
  if (!holder.querySelector(".explorer-chart")) holder.innerHTML = CHART_HTML;
  const el = holder.querySelector(".explorer-chart");

  // A figure (not an img: Plotly's toolbar inside stays reachable), labelled by the alt text.
  el.setAttribute("role", "figure");
  el.setAttribute("aria-label", data.alt); // an attribute: text, never markup
  el.style.minHeight = `${data.spec.layout.height}px`; // no jump while Plotly loads
  const numbers = holder.querySelector(".explorer-numbers");
  if (numbers) {
    numbers.hidden = !data.tables || data.tables.length === 0;
    if (!numbers.__lazy) {
      numbers.__lazy = true;
      numbers.addEventListener("toggle", () => { if (numbers.open) renderTables(numbers.querySelector(".tables"), numbers.__tables); });
    }
    numbers.__tables = data.tables || [];
    if (numbers.open) renderTables(numbers.querySelector(".tables"), numbers.__tables);
  }
  if (!el.__resizeObserver && window.ResizeObserver) {
    // A chart drawn while hidden (in a tab not yet shown) gets Plotly's default width:
    // redraw at the real width whenever the element's size changes.
    let last = 0;
    el.__resizeObserver = new ResizeObserver((entries) => {
      const width = Math.round(entries[0].contentRect.width);
      if (width > 0 && width !== last && window.Plotly && el._fullLayout) {
        last = width;
        window.Plotly.Plots.resize(el);
      }
    });
    el.__resizeObserver.observe(el);
  }
  plotly().then((Plotly) => {
    const color = getComputedStyle(holder).color || "rgb(49, 51, 63)";
    const drawn = JSON.stringify([data.spec, color]);
    if (el.__drawn === drawn && el._fullLayout) return; // the same chart (a commit after a drag): nothing to do
    el.__drawn = drawn;
    const spec = themed(data.spec, color);
    keepUnchangedArrays(spec.data, el.__data);
    el.__data = spec.data;
    Plotly.react(el, spec.data, spec.layout, config);
  }).catch((err) => { el.textContent = String(err.message); });
}

// Plotly.react compares data arrays by identity: an array equal to the one drawn last time is given back
// as that same object, so an unchanged trace (the loss curve's 140 points during a drag) is not recomputed.
function keepUnchangedArrays(data, previous) {
  if (!previous) return;
  data.forEach((trace, i) => {
    const before = previous[i];
    if (!before || before.type !== trace.type) return;
    for (const [k, v] of Object.entries(trace)) {
      const old = before[k];
      if (Array.isArray(v) && Array.isArray(old) && v.length === old.length && v.every((x, j) => x === old[j])) {
        trace[k] = old;
      }
    }
  });
}

// Let go of a chart's element for good (before it leaves the page): Plotly's listeners, the observer.
function releaseChart(holder) {
  for (const el of holder.querySelectorAll(".explorer-chart")) {
    if (el.__resizeObserver) el.__resizeObserver.disconnect();
    if (window.Plotly) window.Plotly.purge(el);
  }
}
