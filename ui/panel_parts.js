// Drawing a panel's parts (core/panels/parts.py): metrics, charts, HTML blocks and rows of them.
// Shared by the live panel (live_panel.js) and the class projector (class_projector.js), which prepend it:
// one piece of code draws parts everywhere. Text is set with textContent; HTML parts are markup built
// by core with every name escaped. Charts are drawn by drawChart (plotly_draw.js, prepended before this).

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
