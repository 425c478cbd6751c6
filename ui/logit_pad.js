// The logit pad: one row per class, a native range input and an exact number box.
//
// Two paths (see the README, "How it works"):
// - live: while a logit moves, each value goes over the live websocket (live_client.js,
//   prepended) with the page's context (data.live); the page's panels draw the answers.
//   No rerun until the gesture ends ("change": pointer released, key pressed, value typed),
//   which commits the values through Streamlit (setStateValue) so the URL, the session and
//   Export follow.
// - rerun (no live route, or its socket dropped): every value is committed through Streamlit,
//   at most `hz` times a second.
// Commits send {epoch, seq, logits, final}, coalesced: while one is unanswered by the server
// (data.ack < seq), newer values wait in `pending`, replacing each other.
// `epoch` changes when the logits changed on the server side (preset, class edit, URL): then
// the server's values replace the local ones. Class names are set with textContent, never as HTML.

const pads = new WeakMap();

function fmt(v) {
  // short for display, exact on focus
  const s = Number(v.toPrecision(6)).toString();
  return s === "-0" ? "0" : s;
}

function build(root, data, st) {
  root.replaceChildren();
  st.rows = data.names.map((name, i) => {
    const row = document.createElement("div");
    row.className = "row" + (i === data.target ? " true" : "");
    const id = `${st.uid}-${i}`;
    const label = document.createElement("label");
    label.htmlFor = id;
    label.className = "name";
    label.textContent = `Logit of ${name}` + (i === data.target ? " ✓ true class" : "");
    const range = document.createElement("input");
    range.type = "range";
    range.id = id;
    range.min = String(data.lo);
    range.max = String(data.hi);
    range.step = String(data.step);
    const exact = document.createElement("input");
    exact.type = "text"; // read by parseTyped (typed_number.js), not by the browser (see there)
    exact.setAttribute("role", "spinbutton");
    exact.autocomplete = "off";
    exact.spellcheck = false;
    exact.setAttribute("autocapitalize", "off");
    exact.setAttribute("autocorrect", "off");
    exact.className = "exact";
    exact.setAttribute("aria-label", `Exact logit of ${name}`);
    exact.title = "Any finite number, e.g. -0.356675 or 1e4";
    const note = document.createElement("div");
    note.className = "note";
    note.setAttribute("aria-live", "polite");
    const controls = document.createElement("div");
    controls.className = "controls";
    controls.append(range, exact);
    row.append(label, controls, note);
    root.append(row);

    range.addEventListener("input", () => {
      st.rows[i].message = "";
      st.values[i] = Number(range.value);
      show(st, i, false);
      if (!sendLive(st)) {
        window.__explorerLive.connect(); // the route may be back (it retries with a growing pause)
        schedule(st);
      }
    });
    // "change" ends a gesture (pointer released, key pressed): commit, and the server updates the URL.
    // A held key repeats "change" at every step: while it repeats the live path carries the values,
    // and the commit waits for the key to come up.
    range.addEventListener("change", () => {
      const live = sendLive(st);
      if (!(live && st.keyRepeat)) commit(st);
    });
    range.addEventListener("keydown", (e) => { st.keyRepeat = e.repeat; });
    range.addEventListener("keyup", () => {
      if (!st.keyRepeat) return;
      st.keyRepeat = false;
      commit(st);
    });
    // A touch turned into a scroll, or focus leaving mid-gesture, may end it without "change".
    for (const ends of ["pointerup", "pointercancel", "blur"]) range.addEventListener(ends, () => commit(st));
    exact.addEventListener("focus", () => { exact.value = String(st.values[i]); });
    exact.addEventListener("blur", () => show(st, i, false));
    exact.addEventListener("change", () => {
      const read = parseTyped(exact.value);
      if (read.error) { // the last good value stays, and the note says so until the next good one
        exact.setAttribute("aria-invalid", "true");
        const error = read.error[0].toUpperCase() + read.error.slice(1);
        st.rows[i].message = `${error}; kept ${fmt(st.values[i]).replace(/-/g, "−")}.`;
        note.textContent = st.rows[i].message;
        return;
      }
      exact.removeAttribute("aria-invalid");
      st.rows[i].message = read.note;
      st.values[i] = read.value;
      show(st, i, true);
      sendLive(st);
      commit(st);
    });
    exact.addEventListener("keydown", (e) => {
      if (e.key === "Enter") exact.dispatchEvent(new Event("change"));
      if (e.key !== "ArrowUp" && e.key !== "ArrowDown") return;
      e.preventDefault(); // a spin button: ±1, as the number box did
      const v = st.values[i] + (e.key === "ArrowUp" ? 1 : -1);
      exact.value = String(Number(v.toPrecision(15)));
      exact.dispatchEvent(new Event("change"));
    });
    return { range, exact, note, message: "" };
  });
}

function show(st, i, keepExactText) {
  const { range, exact, note } = st.rows[i];
  const v = st.values[i];
  range.value = String(Math.min(Math.max(v, st.lo), st.hi));
  // the track's filled part, drawn by the pad's CSS in both themes (a native track is white on dark)
  range.style.setProperty("--fill", `${(100 * (Number(range.value) - st.lo)) / (st.hi - st.lo)}%`);
  range.setAttribute("aria-valuetext", fmt(v));
  if (!keepExactText && document.activeElement !== exact && exact.getRootNode().activeElement !== exact) {
    exact.value = fmt(v);
  }
  exact.setAttribute("aria-valuenow", String(v));
  exact.removeAttribute("aria-invalid");
  const beyond = v < st.lo || v > st.hi ? `The logit is ${fmt(v)}: beyond the slider's range.` : "";
  note.textContent = [st.rows[i].message, beyond].filter(Boolean).join(" ");
}

// The live path: send the values with the page's context; false when it is not available.
function sendLive(st) {
  const live = window.__explorerLive;
  if (!st.context || !live.ready()) return false;
  const key = JSON.stringify(st.values);
  if (key === st.liveSent) return true; // a key press fires "input" and then "change" with one value
  st.liveSent = key;
  document.body.dataset.liveDrag = "1"; // parts the drag does not redraw fade until the commit (ui/theme.py)
  st.seq += 1;
  live.send({ ...st.context, seq: st.seq, logits: st.values.slice() });
  return true;
}

// The end of a gesture: commit the values through Streamlit (a rerun), unless they are committed already.
function commit(st) {
  const key = JSON.stringify(st.values);
  if (key === st.committed) {
    delete document.body.dataset.liveDrag; // back where it started: nothing to redraw
    return;
  }
  st.committed = key;
  schedule(st, true, true);
}

function schedule(st, now = false, final = false) {
  st.pending = st.values.slice();
  st.final = final;
  arm(st, now);
}

function arm(st, now = false) {
  if (st.timer) return;
  const wait = now ? 0 : Math.max(0, st.lastSent + 1000 / st.hz - performance.now());
  st.timer = setTimeout(() => { st.timer = null; flush(st); }, wait);
}

function flush(st) {
  if (!st.pending) return;
  const waiting = st.inflight !== null && performance.now() - st.lastSent < 1000;
  if (waiting) return; // sent again when the server answers (see render)
  st.seq += 1;
  st.inflight = st.seq;
  st.lastSent = performance.now();
  const logits = st.pending;
  const final = st.final;
  st.pending = null;
  st.setStateValue("update", { epoch: st.epoch, seq: st.seq, logits, final });
}

export default function (component) {
  const { data, parentElement, setStateValue, key } = component;
  const root = parentElement.querySelector(".pad");
  let st = pads.get(root);
  if (!st) {
    st = { uid: `lp-${key}`, epoch: null, seq: 0, inflight: null, pending: null, timer: null, lastSent: -1e9,
           values: [], rows: [], shape: "" };
    pads.set(root, st);
  }
  st.setStateValue = setStateValue;
  const live = window.__explorerLive;
  st.context = data.live || null; // {page, classes, target, temperature, unit, present, extra}
  if (st.context) live.connect();
  if (!st.unsubscribe) {
    const status = document.createElement("div");
    status.className = "note live-status";
    status.setAttribute("aria-live", "polite");
    st.status = status;
    st.unsubscribe = live.subscribe((answer) => {
      if (!root.isConnected) { st.unsubscribe(); return; }
      status.textContent = answer.ok ? "" : `Not shown: ${answer.error}`;
    });
  }
  st.hz = data.hz;
  st.lo = data.lo;
  st.hi = data.hi;
  const shape = JSON.stringify([data.names, data.target, data.lo, data.hi, data.step]);
  if (shape !== st.shape) {
    st.shape = shape;
    build(root, data, st);
    root.append(st.status);
    st.epoch = null; // force the server's values in below
  }
  if (data.epoch !== st.epoch) {
    // The server changed the logits itself: its values win, local ones are dropped.
    st.epoch = data.epoch;
    st.values = data.logits.slice();
    st.pending = null;
    st.inflight = null;
    st.seq = Math.max(st.seq, data.ack);
    st.liveSent = null;
    st.committed = JSON.stringify(st.values);
    st.rows.forEach((row) => { row.message = ""; }); // the server's values answer any earlier note
    live.pending = null;
    live.floorSeq = st.seq; // answers to values sent before the server's change are dropped
    st.values.forEach((_, i) => show(st, i, false));
  } else if (st.inflight !== null && data.ack >= st.inflight) {
    st.inflight = null; // answered: send what piled up meanwhile, if anything
    if (st.pending) arm(st);
  }
  if (!st.pending && st.inflight === null && JSON.stringify(data.logits) === st.committed) {
    delete document.body.dataset.liveDrag; // the commit's rerun has drawn the whole page
  }
  root.dataset.ack = String(data.ack);
}
