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
      if (st.keyed) st.drawnSig = JSON.stringify(parts);
      later(st, parts);
    });
  }
  st.page = data.page;
  st.slot = data.slot;
  st.config = data.config;
  root.dataset.slot = data.slot;
  if (data.liveKey !== null && data.liveKey !== undefined) {
    // values from Streamlit's own widgets (next_token_live.js): a rerun for older values than the live answer on
    // screen is skipped (for at most 3 s: a rerun that never comes cannot freeze the panel), the one for the values
    // held now is drawn and releases the hold
    if (live.heldKey && live.heldKey !== data.liveKey && performance.now() - live.heldAt < 3000) return;
    live.heldKey = null;
    st.keyed = true;
    const sig = JSON.stringify(data.parts);
    if (sig === st.drawnSig) return; // the live answer on screen is this rerun's, to the digit: no second draw
    st.drawnSig = sig;
    later(st, data.parts);
    return;
  }
  const newer = data.epoch === st.epoch && st.drawnSeq > data.ack; // a live answer on screen is newer
  st.epoch = data.epoch;
  if (!newer) {
    st.drawnSeq = Math.max(st.drawnSeq, data.ack);
    later(st, data.parts);
  }
}
