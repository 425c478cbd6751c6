// The live panel: draws one slot of a page's panel (core/panels), from two sources:
// - a rerun (the commit path): `data.parts`, computed by the page with its core function;
// - the live path: answers from routes/live.py (live_client.js, prepended), computed by the
//   same function while a logit is dragged; drawn in the next animation frame, latest only.
// A rerun's parts are not drawn over a newer live answer (data.ack, the last value the server
// committed, is older than what the screen shows); the commit that ends the gesture follows.
// Text is set with textContent; HTML parts are markup built by core with every name escaped.
// Charts are drawn by drawChart (plotly_draw.js, prepended).

const panels = new WeakMap();

function partKey(part) {
  if (part.kind === "row") return `row(${part.parts.map(partKey).join(",")})`;
  if (part.kind === "metrics") return `metrics(${part.items.map((m) => m.key).join(",")})`;
  return `${part.kind}:${part.key}`;
}

function makePart(part) {
  const el = document.createElement("div");
  el.className = `lp-${part.kind}`;
  if (part.key) el.dataset.key = part.key;
  if (part.kind === "row") {
    for (const child of part.parts) el.appendChild(makePart(child));
  } else if (part.kind === "metrics") {
    for (const m of part.items) {
      const box = document.createElement("div");
      box.className = "lp-metric";
      box.dataset.key = m.key;
      box.setAttribute("role", "group");
      const label = document.createElement("div");
      label.className = "lp-label";
      const value = document.createElement("div");
      value.className = "lp-value";
      const delta = document.createElement("div");
      delta.className = "lp-delta";
      box.append(label, value, delta);
      el.appendChild(box);
    }
  }
  return el; // a chart's elements are made by drawChart
}

// Fill `el` with `part`; charts are not drawn here but pushed onto `charts`, so that every panel's
// numbers and text are in place before the first (slower) chart is drawn.
function fill(el, part, config, charts) {
  if (part.kind === "row") {
    part.parts.forEach((child, i) => fill(el.children[i], child, config, charts));
  } else if (part.kind === "metrics") {
    part.items.forEach((m, i) => {
      const box = el.children[i];
      const [label, value, delta] = box.children;
      if (label.textContent !== m.label) label.textContent = m.label;
      if (value.textContent !== m.value) value.textContent = m.value;
      if (delta.textContent !== m.delta) delta.textContent = m.delta;
      delta.hidden = !m.delta;
      delta.className = `lp-delta ${m.tone || ""}`;
      box.title = m.help || "";
      box.setAttribute("aria-label", `${m.label}: ${m.value}${m.delta ? ` (${m.delta})` : ""}`);
    });
  } else if (part.kind === "chart") {
    charts.push(() => drawChart(el, part, config));
  } else if (part.kind === "html") {
    if (el.__html !== part.html) {
      el.__html = part.html;
      el.innerHTML = part.html;
    }
  }
}

function draw(st, parts, charts) {
  const shape = parts.map(partKey).join("|");
  if (shape !== st.shape) {
    st.shape = shape;
    releaseChart(st.root);
    st.root.replaceChildren(...parts.map(makePart));
  }
  parts.forEach((part, i) => fill(st.root.children[i], part, st.config, charts));
}

// One animation frame for every panel of the page: the latest parts of each, text first, then charts.
function later(st, parts) {
  const live = window.__explorerLive;
  live.waiting.set(st, parts);
  if (live.frame) return;
  live.frame = requestAnimationFrame(() => {
    live.frame = 0;
    const charts = [];
    const waiting = [...live.waiting];
    live.waiting.clear();
    for (const [panel, next] of waiting) draw(panel, next, charts);
    for (const drawOne of charts) drawOne();
  });
}

export default function (component) {
  const { data, parentElement } = component;
  const root = parentElement.querySelector(".live-panel");
  const live = window.__explorerLive;
  let st = panels.get(root);
  if (!st) {
    st = { root, shape: "", epoch: null, drawnSeq: -1, config: data.config };
    panels.set(root, st);
    st.unsubscribe = live.subscribe((answer) => {
      if (!root.isConnected) { st.unsubscribe(); return; }
      if (!answer.ok || !answer.panel || answer.panel.page !== st.page) return;
      if (answer.seq === null || answer.seq <= (live.floorSeq ?? -1) || answer.seq <= st.drawnSeq) return;
      const parts = answer.panel.slots[st.slot];
      if (!parts) return;
      st.drawnSeq = answer.seq;
      later(st, parts);
    });
  }
  st.page = data.page;
  st.slot = data.slot;
  st.config = data.config;
  root.dataset.slot = data.slot;
  const newer = data.epoch === st.epoch && st.drawnSeq > data.ack; // a live answer on screen is newer
  st.epoch = data.epoch;
  if (!newer) {
    st.drawnSeq = Math.max(st.drawnSeq, data.ack);
    later(st, data.parts);
  }
}
