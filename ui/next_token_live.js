// The Next-token page's live path: while temperature, top-k, top-p or min-p is being changed, the values go over
// the live route (routes/live.py, live_client.js prepended) and the page's live panels draw the answer
// (live_panel.js), without a rerun. The controls are Streamlit's own widgets, which commit (a rerun) when a
// gesture ends: this script only watches them. A slider's (hidden) range input holds its value as the thumb moves
// and its aria-valuetext attribute changes with it; the top-k box is read on each keystroke. Values are rounded to
// 6 decimals on both sides (core.panels.next_token.settings_key), so a rerun is matched to the answer it follows. The maths is the server's (core/panels/next_token.py): nothing is
// computed here. Without the route (plain `streamlit run app.py`) nothing is sent and the reruns do it all.

const SLIDERS = { t: "nt_t", p: "nt_p", min_p: "nt_minp" };

function sliderValue(key) {
  const input = document.querySelector(`.st-key-${key} input[type="range"]`);
  const v = input ? Number(input.value) : NaN;
  return Number.isFinite(v) ? Number(v.toFixed(6)) : null;
}

function topK() {
  const box = document.querySelector(".st-key-nt_k input");
  if (!box || !/^\s*\d+\s*$/.test(box.value)) return null; // half-typed or not a whole number: wait
  const k = Number(box.value);
  return k <= 100000 ? k : null;
}

function install(state) {
  const live = window.__explorerLive;
  const send = () => {
    const d = state.data;
    if (!d) return;
    const values = { t: sliderValue(SLIDERS.t), k: topK(), p: sliderValue(SLIDERS.p), min_p: sliderValue(SLIDERS.min_p) };
    if (Object.values(values).some((v) => v === null)) return;
    const key = [values.t, values.k, values.p, values.min_p].map(String).join("|");
    if (key === state.sentKey) return;
    live.connect();
    if (!live.ready()) return; // no route (yet): the rerun at the gesture's end draws it
    state.sentKey = key;
    live.heldKey = key; // a rerun for other values is not drawn over this answer for a while (live_panel.js)
    live.heldAt = performance.now();
    state.seq = Math.max(state.seq, live.floorSeq ?? -1) + 1; // above any answer the logit pad had dropped
    live.send({ ...d.context, seq: state.seq, extra: { ...d.extra, ...values } });
  };
  // aria-valuetext changes as a thumb moves (pointer or keys)
  new MutationObserver((records) => {
    if (records.some((r) => r.target.closest && r.target.closest(".st-key-nt_t, .st-key-nt_p, .st-key-nt_minp"))) send();
  }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ["aria-valuetext", "value"] });
  document.addEventListener("input", (e) => {
    if (e.target && e.target.closest && e.target.closest(".st-key-nt_k")) send();
  }, true);
}

export default function (component) {
  const live = window.__explorerLive;
  if (!window.__ntLive) {
    window.__ntLive = { data: null, seq: 0, sentKey: "" };
    install(window.__ntLive);
  }
  const state = window.__ntLive;
  state.data = component.data;
  state.sentKey = component.data.key; // the values this rerun drew: a change from them is sent
  live.connect();
}
