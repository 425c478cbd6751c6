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
// black lines, outlines and "ink" labels of the specs (and Plotly's default #444) become that colour too,
// and every light box behind a label (an annotation's bgcolor) takes the page's own dark background,
// so the now light text on it stays readable (WCAG AA: tests/e2e/test_chart_contrast.py).
const DARK_ONLY = new Set(["#000000", "#444444", "#444"]);

function rgbOf(colour) {
  const m = String(colour || "").match(/[\d.]+/g) || [];
  if (String(colour).startsWith("#")) {
    const h = colour.length === 4 ? colour.replace(/#(.)(.)(.)/, "#$1$1$2$2$3$3") : colour;
    return [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
  }
  return m.slice(0, 3).map(Number);
}
function isLight(colour) {
  const [r, g, b] = rgbOf(colour);
  return (0.299 * r + 0.587 * g + 0.114 * b) / 255 > 0.5;
}

// The page's background behind `node` (the first ancestor with an opaque one).
function pageBackground(node) {
  for (let n = node; n && n.nodeType === 1; n = n.parentElement) {
    const bg = getComputedStyle(n).backgroundColor;
    const m = bg.match(/[\d.]+/g);
    if (m && (m.length < 4 || Number(m[3]) > 0.5)) return `rgb(${m.slice(0, 3).join(",")})`;
  }
  return "rgb(255,255,255)";
}

function themed(spec, textColor, background) {
  const dark = isLight(textColor); // light text: a dark page
  const [br, bg, bb] = rgbOf(background);
  const darkBox = `rgba(${br},${bg},${bb},0.85)`;
  const swap = (value) => {
    if (Array.isArray(value)) return value.map(swap);
    if (value && typeof value === "object") {
      const out = {};
      for (const [k, v] of Object.entries(value)) out[k] = swap(v);
      return out;
    }
    if (!dark || typeof value !== "string") return value;
    return DARK_ONLY.has(value.toLowerCase().replace(/\s+/g, "")) ? textColor : value;
  };
  const layout = swap(spec.layout);
  layout.font = { ...(layout.font || {}), color: textColor };
  if (dark && Array.isArray(layout.annotations)) {
    // a label's box: light boxes turn dark and their text light (never light text on a light box)
    layout.annotations = layout.annotations.map((a) => {
      if (!a.bgcolor || !isLight(a.bgcolor)) return a;
      return { ...a, bgcolor: darkBox, font: { ...(a.font || {}), color: textColor } };
    });
  }
  return { data: swap(spec.data), layout };
}

// Plotly does not wrap a title: one longer than the chart was cut at its right edge (on a phone, on a
// projector). Break it into lines that fit the width, leaving the toolbar's corner free, and make room.
const TOOLBAR_ROOM = 40; // px: the one toolbar button, top right
const measureCanvas = document.createElement("canvas");

function plainText(markup) {
  // the title's visible text (tags dropped, entities decoded) without running anything in it
  return new DOMParser().parseFromString(`<p>${markup.replace(/<br>/g, " ")}</p>`, "text/html").body.textContent || "";
}

function fitTitle(layout, width) {
  const title = layout.title;
  if (!title || !title.text || !(width > 0)) return layout;
  const size = (title.font && title.font.size) || (layout.font && layout.font.size) || 16;
  const family = (layout.font && layout.font.family) || "sans-serif";
  const ctx = measureCanvas.getContext("2d");
  ctx.font = `${(title.font && title.font.weight) || 600} ${size}px ${family}`;
  const margin = layout.margin || {};
  const room = width - (margin.l || 0) - TOOLBAR_ROOM;
  const fits = (words) => ctx.measureText(plainText(words.join(" "))).width <= room;
  const words = title.text.split(" ");
  if (fits(words)) return layout;
  const lines = [];
  let line = [];
  for (const w of words) {
    if (line.length && !fits([...line, w])) {
      lines.push(line.join(" "));
      line = [];
    }
    line.push(w);
  }
  if (line.length) lines.push(line.join(" "));
  const extra = Math.round((lines.length - 1) * size * 1.3 + 6);
  return {
    ...layout,
    title: { ...title, text: lines.join("<br>") }, // Plotly centres its lines in the (taller) top margin
    margin: { ...margin, t: (margin.t || 0) + extra },
    height: (layout.height || 0) + extra,
  };
}

// Plotly's toolbar (only "download as PNG"): on hover, in the corner the title leaves free; none on a
// touch screen, where it stayed over the chart's title.
function chartConfig(config) {
  const touch = window.matchMedia && window.matchMedia("(hover: none)").matches;
  return { ...config, displayModeBar: touch ? false : "hover" };
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
  el.__spec = data.spec;
  el.__config = config;
  el.__holder = holder;
  if (!el.__resizeObserver && window.ResizeObserver) {
    // A chart drawn while hidden (in a tab not yet shown) gets Plotly's default width, and a title
    // breaks into lines by the width: draw again whenever the element's width changes.
    let last = 0;
    el.__resizeObserver = new ResizeObserver((entries) => {
      const width = Math.round(entries[0].contentRect.width);
      if (width > 0 && width !== last && window.Plotly && el._fullLayout) {
        last = width;
        render(el);
        window.Plotly.Plots.resize(el);
      }
    });
    el.__resizeObserver.observe(el);
  }
  plotly().then(() => render(el)).catch((err) => { el.textContent = String(err.message); });
}

function render(el) {
  const Plotly = window.Plotly;
  const color = getComputedStyle(el.__holder).color || "rgb(49, 51, 63)";
  if (el.__backgroundFor !== color) { // the page's background changes with the theme, and the text colour with it
    el.__backgroundFor = color;
    el.__background = pageBackground(el.__holder);
  }
  const background = el.__background;
  const width = Math.round(el.clientWidth);
  const drawn = JSON.stringify([el.__spec, color, background, width]);
  if (el.__drawn === drawn && el._fullLayout) return; // the same chart (a commit after a drag): nothing to do
  el.__drawn = drawn;
  const spec = themed(el.__spec, color, background);
  spec.layout = fitTitle(spec.layout, width);
  el.style.minHeight = `${spec.layout.height}px`;
  keepUnchangedArrays(spec.data, el.__data);
  el.__data = spec.data;
  Plotly.react(el, spec.data, spec.layout, chartConfig(el.__config));
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
