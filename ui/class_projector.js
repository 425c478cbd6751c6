// The teacher's projector in class mode: the live count, the spread of answers, the truth after the reveal.
//
// The page draws the room as it was at its last rerun (`data.view`, built by routes.classroom.teacher_view),
// then this component keeps it live over routes/classroom.py's socket (`teach`): every answer and join
// moves the count ("37 of 41 answered", aria-live polite) and, when the teacher shows it, the spread chart,
// drawn by the shared parts code (panel_parts.js and plotly_draw.js, prepended). The newer of the two views
// (by the room's version counters) is drawn.
//
// The teacher token: the page hands it over in `data.token`; it is kept in localStorage under the room's
// code (never in a URL). A fresh session on `/class?room=CODE` has no token: the page asks with
// `data.claim`, and the component hands the stored one back through its state `token` ("" when this
// browser has none), so a reload or a server restart keeps the teacher in charge.
// Text is set with textContent; HTML parts (none here today) would be core's escaped markup.

const TEACHER = "explorer-class-teacher:"; // + room code -> the teacher token
// (store, classSocketUrl, nextPause, older, versionOf, logitTable: class_common.js, prepended)

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function build(root, st) {
  root.replaceChildren();
  st.status = el("p", "cp-status");
  st.status.setAttribute("role", "status");
  const top = el("div", "cp-top");
  st.question = el("div", "cp-question");
  const side = el("div", "cp-side");
  st.joined = el("p", "cp-joined");
  st.answered = el("p", "cp-answered");
  st.answered.setAttribute("aria-live", "polite");
  st.answered.setAttribute("aria-atomic", "true");
  st.truth = el("div", "cp-truth");
  st.truth.setAttribute("role", "status");
  side.append(st.answered, st.joined, st.truth);
  top.append(st.question, side);
  st.spread = el("div", "cp-spread");
  st.parts = { root: st.spread, shape: "", config: st.config };
  root.append(st.status, top, st.spread);
}

// The question as the students' phones show it: prompt, logits table(s), notes (all text from core).
function question(box, q) {
  box.replaceChildren();
  if (!q) {
    box.append(el("p", "cp-prompt", "No question asked yet: choose one below."));
    return;
  }
  const prompt = el("p", "cp-prompt");
  prompt.append(el("strong", "", `Question ${q.n}. `), q.prompt);
  const tables = el("div", "cp-tables");
  for (const t of q.tables) tables.append(logitTable(t, "steps quiz"));
  box.append(prompt, tables, ...(q.notes || []).map((n) => el("p", "explain", n)));
}

// The page, scrolled to its top: the room sees the projector's view (code, count, question, spread), not the
// teacher's controls or the summary further down where the last click left the page.
function toTop() {
  const main = document.querySelector('[data-testid="stMain"]');
  if (main) main.scrollTo({ top: 0, behavior: "instant" });
  window.scrollTo({ top: 0, behavior: "instant" });
}

function show(st, view) {
  if (st.view && older(versionOf(view), versionOf(st.view))) return; // drawn already: a newer view
  const before = st.view;
  st.view = view;
  const ended = view.phase === "ended";
  st.root.dataset.phase = view.phase;
  const joined = `${view.joined} ${view.joined === 1 ? "student" : "students"} joined`;
  if (st.joined.textContent !== joined) st.joined.textContent = joined;
  let answered = "";
  if (ended) answered = "The class has ended.";
  else if (view.question) answered = `${view.answered} of ${view.joined} answered`;
  else answered = "Waiting for the first question";
  if (st.answered.textContent !== answered) st.answered.textContent = answered;
  const key = JSON.stringify(view.question);
  if (!before || key !== JSON.stringify(before.question)) {
    question(st.question, view.question);
    const id = (q) => (q ? q.id : "");
    if (before && id(view.question) !== id(before.question)) toTop(); // a new question
  }
  // the spread (when shown, and after the reveal with the truth drawn on it)
  const charts = [];
  draw(st.parts, view.spread ? [view.spread] : [], charts);
  for (const drawOne of charts) drawOne();
  st.spread.hidden = !view.spread;
  // the truth and the round's numbers, after the reveal
  st.truth.replaceChildren();
  st.truth.hidden = !view.result;
  if (view.result) {
    st.truth.append(el("p", "cp-answer", `The answer: ${view.result.truth}`));
    st.truth.append(el("p", "cp-explain", view.result.explanation));
    if (view.summary && view.summary.text) st.truth.append(el("p", "cp-summary", view.summary.text));
  }
  if (ended) {
    store.drop(TEACHER + st.code);
    if (st.ws) st.ws.close();
    st.ws = null;
    st.done = true;
  }
}

function connect(st) {
  if (st.ws || st.timer || st.done || !st.token) return;
  let ws;
  try { ws = new WebSocket(classSocketUrl()); } catch (err) { return; }
  st.ws = ws;
  ws.onopen = () => {
    if (st.ws !== ws) return;
    st.pause = FIRST_PAUSE;
    st.status.textContent = "";
    ws.send(JSON.stringify({ op: "teach", code: st.code, token: st.token, present: st.present }));
  };
  ws.onmessage = (event) => {
    if (st.ws !== ws) return;
    let msg = null;
    try { msg = JSON.parse(event.data); } catch (err) { msg = null; }
    if (!msg) return;
    if (msg.op === "room") show(st, msg);
    else if (msg.op === "error") refused(st, msg);
  };
  const down = () => {
    if (st.ws !== ws) return;
    st.ws = null;
    if (st.done) return;
    if (!st.opened) { // never opened: no class route here; the page's reruns still update the count
      st.status.textContent = "Live updates are off on this server (start it with make run); the count updates " +
        "when the page does.";
      return;
    }
    again(st, "Live updates lost");
  };
  ws.addEventListener("open", () => { st.opened = true; });
  ws.onclose = down;
  ws.onerror = down;
}

function again(st, why) {
  const wait = nextPause(st);
  st.status.textContent = `${why}: reconnecting in ${Math.round(wait / 1000)} s…`;
  st.timer = setTimeout(() => { st.timer = 0; connect(st); }, wait);
}

// A refusal's kind (routes/classroom.py): "gone" (the room ended, or this browser is not its teacher's: the
// stored token is forgotten, live updates stop; the page says what to do on its next run), "retry" (busy:
// reconnect after a pause), anything else: shown.
function refused(st, msg) {
  const text = String(msg.error || "Refused.");
  st.status.textContent = text;
  if (msg.kind === "gone") {
    store.drop(TEACHER + st.code);
    st.done = true;
    const ws = st.ws;
    st.ws = null;
    if (ws) ws.close();
  } else if (msg.kind === "retry") {
    const ws = st.ws;
    st.ws = null;
    if (ws) ws.close();
    again(st, text.replace(/[.\s]+$/, ""));
  }
}

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  const root = parentElement.querySelector(".class-projector");
  let st = root.__st;
  if (!st || st.code !== data.code) {
    if (st && st.ws) { st.done = true; st.ws.close(); }
    st = { root, code: data.code, pause: FIRST_PAUSE, ws: null, timer: 0, view: null, config: data.config };
    root.__st = st;
    build(root, st);
  }
  st.present = Boolean(data.present);
  st.parts.config = data.config;
  if (data.claim) {
    // a fresh session on /class?room=CODE: hand back the token this browser holds, if any
    setStateValue("token", store.get(TEACHER + data.code) || "");
    return;
  }
  if (data.token) {
    st.token = data.token;
    store.set(TEACHER + data.code, data.token);
  }
  if (data.view) show(st, data.view);
  connect(st);
}
