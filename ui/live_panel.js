// The live panel: draws one slot of a page's panel (core/panels), from two sources:
// - a rerun (the commit path): `data.parts`, computed by the page with its core function;
// - the live path: answers from routes/live.py (live_client.js, prepended), computed by the
//   same function while a logit is dragged; drawn in the next animation frame, latest only.
// A rerun's parts are not drawn over a newer live answer (data.ack, the last value the server
// committed, is older than what the screen shows); the commit that ends the gesture follows.
// The parts are made and filled by panel_parts.js (prepended; the class projector draws with it too),
// charts by drawChart (plotly_draw.js, prepended).

const panels = new WeakMap();

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

// A rerun of a panel whose live values come from Streamlit's own widgets (next_token_live.js). A rerun for other
// values than the live answer on screen is held back while that answer is fresh (its own rerun follows), and drawn
// when the hold expires if nothing newer came: the committed state always ends up on screen. A rerun identical to
// what is drawn is not drawn twice; once a rerun is drawn, answers to values sent before it are dropped.
const HOLD_MS = 3000;

function keyedRerun(st, data, live) {
  clearTimeout(st.holdTimer);
  const sig = JSON.stringify(data.parts);
  const apply = () => {
    if (live.heldKey === data.liveKey || performance.now() - (live.heldAt || 0) >= HOLD_MS) live.heldKey = null;
    st.drawnSeq = Math.max(st.drawnSeq, live.sentSeq ?? -1);
    if (sig === st.drawnSig) return; // the live answer on screen is this rerun's, to the digit
    st.drawnSig = sig;
    later(st, data.parts);
  };
  const age = performance.now() - (live.heldAt || 0);
  if (st.drawnSig !== undefined && live.heldKey && live.heldKey !== data.liveKey && age < HOLD_MS) {
    st.holdTimer = setTimeout(() => { if (st.root.isConnected) apply(); }, HOLD_MS - age + 50);
    return;
  }
  apply();
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
      clearTimeout(st.holdTimer); // a newer value than any rerun held back
      st.drawnSig = JSON.stringify(parts);
      later(st, parts);
    });
  }
  st.page = data.page;
  st.slot = data.slot;
  st.config = data.config;
  root.dataset.slot = data.slot;
  if (data.liveKey !== null && data.liveKey !== undefined) {
    keyedRerun(st, data, live);
    return;
  }
  const newer = data.epoch === st.epoch && st.drawnSeq > data.ack; // a live answer on screen is newer
  st.epoch = data.epoch;
  if (!newer) {
    st.drawnSeq = Math.max(st.drawnSeq, data.ack);
    later(st, data.parts);
  }
}
