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

// The top-k box's value; while it is half-typed (or out of range) the committed value stands, as Streamlit puts it
// back when the box loses focus.
function topK(committed, max) {
  const box = document.querySelector(".st-key-nt_k input");
  if (!box || !/^\s*\d+\s*$/.test(box.value)) return committed;
  const k = Number(box.value);
  return k <= max ? k : committed;
}

function install(state) {
  const live = window.__explorerLive;
  const send = () => {
    const d = state.data;
    if (!d) return;
    const shown = document.querySelector(".st-key-nt_panel_pipeline");
    if (!shown || shown.offsetParent === null) return; // another tab: its own rerun at the gesture's end
    const k = topK(d.extra.k, d.kMax);
    const values = { t: sliderValue(SLIDERS.t), k, p: sliderValue(SLIDERS.p), min_p: sliderValue(SLIDERS.min_p) };
    if (Object.values(values).some((v) => v === null)) return;
    const key = [values.t, values.k, values.p, values.min_p].map(String).join("|");
    if (key === state.sentKey) return;
    live.connect();
    if (!live.ready()) return; // no route (yet): the rerun at the gesture's end draws it
    state.sentKey = key;
    live.heldKey = key; // a rerun for other values is not drawn over this answer for a while (live_panel.js)
    live.heldAt = performance.now();
    state.seq = Math.max(state.seq, live.floorSeq ?? -1) + 1; // above any answer the logit pad had dropped
    live.sentSeq = state.seq; // a rerun drawn after this drops answers up to it (live_panel.js)
    live.send({ ...d.context, seq: state.seq, extra: { ...d.extra, ...values } });
  };
  // aria-valuetext changes as a thumb moves (pointer or keys)
  new MutationObserver((records) => {
    if (records.some((r) => r.target.closest && r.target.closest(".st-key-nt_t, .st-key-nt_p, .st-key-nt_minp"))) send();
  }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ["aria-valuetext", "value"] });
  const inTopK = (e) => e.target && e.target.closest && e.target.closest(".st-key-nt_k");
  document.addEventListener("input", (e) => { if (inTopK(e)) send(); }, true);
  // leaving the box: Streamlit puts back the committed value when what was typed is empty or out of range,
  // without a rerun when nothing changed; read it again so the chart shows what is committed
  document.addEventListener("focusout", (e) => { if (inTopK(e)) requestAnimationFrame(send); }, true);
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
