// A student's device in class mode: join a room by its code, then answer what the teacher asks.
//
// It speaks routes/classroom.py's socket (`api/class`, beside the app) and never reruns the page:
// a new question arrives as a push, an answer goes over the same socket and comes back as
// "received". The student's token (from "joined") lives in localStorage under the room's code,
// never in a URL; after a dropped connection the component reconnects (1 s, doubling to 15 s)
// and resumes with it, so a reload or a server restart keeps the student in the room.
// Everything the server sends (prompts, class names, nicknames, explanations) is data: it is
// set with textContent, never as markup. The page computes nothing: the texts come written.

const STORE = "explorer-class-student:"; // + room code -> {token, nick}
const LAST = "explorer-class-student-last"; // the room this browser was last in
// (store, classSocketUrl, nextPause, older, versionOf, logitTable: class_common.js, prepended)

// What a typed estimate reads as: parseTyped (typed_number.js, prepended; the logit box's rule, as
// core.query.parse_typed_number), its error written as a sentence.
function parseNumber(raw) {
  if (raw.trim() === "") return { error: "Type a number first." };
  const read = parseTyped(raw);
  return read.error ? { error: `${read.error[0].toUpperCase()}${read.error.slice(1)}.` } : read;
}

// This browser's id for the wrong-code limit (routes/classroom.py): students behind one school address are
// counted apart. Not a secret and not an identity: only the address's own limit holds a guesser who changes it.
function browserId() {
  let id = store.get("explorer-class-browser");
  if (!id || !/^[0-9a-f]{32}$/.test(id)) {
    id = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
    store.set("explorer-class-browser", id);
  }
  return id;
}

function saved(code) {
  try { return JSON.parse(store.get(STORE + code) || "null"); } catch (err) { return null; }
}

// A new element: `props` are properties (className, textContent, type, ...), `attrs` attributes.
function make(tag, props = {}, attrs = {}) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

function normalCode(text) {
  return text.toUpperCase().replace(/[\s-]+/g, "");
}

let uid = 0;

function build(root, st, limits) {
  const id = `cs${++uid}`;
  root.replaceChildren();
  st.status = make("p", { className: "cs-status" }, { role: "status", "aria-live": "polite" });

  // The join form.
  st.form = make("form", { className: "cs-join", noValidate: true }, { "aria-label": "Join a class" });
  const codeLabel = make("label", { htmlFor: `${id}-code`, textContent: "Class code" });
  st.codeBox = make("input", { id: `${id}-code`, type: "text", className: "cs-code", maxLength: 12,
    autocomplete: "off", spellcheck: false, placeholder: `e.g. ${limits.codeExample}` },
  { autocapitalize: "characters", autocorrect: "off", enterkeyhint: "next", "aria-describedby": `${id}-join-error` });
  const nickLabel = make("label", { htmlFor: `${id}-nick`, textContent: "Nickname (optional)" });
  // maxLength well above the limit: a longer nickname is refused with a reason (by core), never cut silently
  st.nickBox = make("input", { id: `${id}-nick`, type: "text", maxLength: 200, autocomplete: "nickname",
    spellcheck: false, placeholder: "leave empty to stay anonymous" }, { enterkeyhint: "go" });
  const nickHint = make("p", { className: "cs-hint",
    textContent: `Up to ${limits.nickLimit} characters. Only the teacher sees nicknames; other students never do.` });
  st.joinButton = make("button", { type: "submit", className: "cs-primary", textContent: "Join" });
  st.joinError = make("p", { id: `${id}-join-error`, className: "cs-error" }, { role: "alert" });
  st.form.append(codeLabel, st.codeBox, nickLabel, st.nickBox, nickHint, st.joinButton, st.joinError);
  st.form.addEventListener("submit", (event) => {
    event.preventDefault();
    join(st);
  });

  // The room: who we are, then the question or the result.
  st.room = make("section", { className: "cs-room", hidden: true }, { "aria-label": "Class" });
  const top = make("div", { className: "cs-top" });
  st.who = make("p", { className: "cs-who" });
  st.leave = make("button", { type: "button", className: "cs-quiet", textContent: "Leave" });
  st.leave.addEventListener("click", () => leave(st, ""));
  top.append(st.who, st.leave);
  st.body = make("div", { className: "cs-body" });
  st.room.append(top, st.body);
  root.append(st.status, st.form, st.room);
}

function setStatus(st, text) {
  if (st.status.textContent !== text) st.status.textContent = text;
  st.status.hidden = !text;
}

// Bring `node` (the answer's feedback, an error) into view without moving the page more than needed.
function reveal(node) {
  if (node && node.isConnected && node.textContent) node.scrollIntoView({ block: "nearest" });
}

// ---- the socket ------------------------------------------------------------------------------------------------
function connect(st) {
  if (st.ws || st.timer) return;
  if (!st.checked) {
    // Ask over plain HTTP first: without the route (plain `streamlit run app.py`) the answer is the app's HTML.
    setStatus(st, "Connecting…");
    fetch(new URL("api/class/hello", document.baseURI).href, { cache: "no-store" })
      .then((r) => r.json())
      .then((hello) => {
        if (!hello || hello.class !== 1) throw new Error("absent");
        st.checked = true;
        open(st);
      })
      .catch(() => {
        if (st.checked) return;
        setStatus(st, "");
        showJoin(st, "Class mode is not running on this server: it needs the app started with its routes " +
          "(make run). Ask the teacher.");
      });
    return;
  }
  open(st);
}

function isOpen(st) {
  return Boolean(st.ws && st.ws.readyState === WebSocket.OPEN);
}

function open(st) {
  let ws;
  try { ws = new WebSocket(classSocketUrl()); } catch (err) { retry(st); return; }
  st.ws = ws;
  ws.onopen = () => {
    if (st.ws !== ws) return;
    st.pause = FIRST_PAUSE;
    setStatus(st, "");
    if (st.token) {
      st.resuming = true;
      send(st, { op: "resume", code: st.code, token: st.token, client: browserId() });
    }
    else if (st.joining) send(st, { op: "join", code: st.joining.code, nick: st.joining.nick, client: browserId() });
  };
  ws.onmessage = (event) => {
    if (st.ws !== ws) return;
    let msg = null;
    try { msg = JSON.parse(event.data); } catch (err) { msg = null; }
    if (msg && typeof msg === "object") receive(st, msg);
  };
  const down = () => {
    if (st.ws !== ws) return;
    st.ws = null;
    st.resuming = false;
    if (st.token || st.joining) retry(st);
    showAck(st); // a sent answer not yet confirmed now waits for the connection
  };
  ws.onclose = down;
  ws.onerror = down;
}

function retry(st) {
  if (st.timer) return;
  const wait = nextPause(st);
  let left = Math.round(wait / 1000);
  const tick = () => {
    setStatus(st, `Connection lost: trying again in ${left} s…`);
    left -= 1;
  };
  tick();
  clearInterval(st.ticker);
  st.ticker = setInterval(tick, 1000);
  st.timer = setTimeout(() => {
    st.timer = 0;
    clearInterval(st.ticker);
    setStatus(st, "Reconnecting…");
    connect(st);
  }, wait);
}

function send(st, msg) {
  if (!isOpen(st)) return false;
  st.ws.send(JSON.stringify(msg));
  return true;
}

// ---- joining and leaving ---------------------------------------------------------------------------------------
function join(st) {
  const code = normalCode(st.codeBox.value);
  if (!code) {
    showJoinError(st, "Type the class code the teacher shows.");
    st.codeBox.focus();
    return;
  }
  st.joining = { code, nick: st.nickBox.value.trim() };
  st.joinButton.disabled = true;
  showJoinError(st, "");
  if (!send(st, { op: "join", ...st.joining, client: browserId() })) connect(st);
}

function showJoinError(st, text) {
  st.joinError.textContent = text;
  st.codeBox.setAttribute("aria-invalid", text ? "true" : "false");
}

function showJoin(st, message) {
  st.form.hidden = false;
  st.room.hidden = true;
  st.joinButton.disabled = false;
  showJoinError(st, message);
}

// Forget the room (the student left, it ended, or this device's place in it is gone) and show the join form.
function leave(st, message) {
  if (st.code) store.drop(STORE + st.code);
  store.drop(LAST);
  st.token = "";
  st.code = "";
  st.joining = null;
  st.shown = "";
  st.version = null;
  st.pending = null;
  st.question = null;
  clearTimeout(st.timer);
  clearTimeout(st.resend);
  clearInterval(st.ticker);
  st.timer = 0;
  const ws = st.ws;
  st.ws = null;
  if (ws) ws.close();
  setStatus(st, "");
  st.codeBox.value = "";
  showJoin(st, "");
  if (message) st.joinError.textContent = message;
  st.form.querySelector(".cs-ended")?.remove();
}

// An error's kind (routes/classroom.py): "gone" (the room, or this device's place in it, is gone: forget the
// token), "retry" (busy, unreachable, a limit: the same message later may pass; keep everything) or
// "invalid" (this message was wrong: say so, keep everything). A server that names no kind: "invalid".
function refused(st, msg) {
  const text = String(msg.error || "Refused.");
  const kind = msg.kind === "gone" || msg.kind === "retry" ? msg.kind : "invalid";
  const resuming = st.resuming;
  st.resuming = false;
  if (!st.code) { // a join was refused: the form says why (a wrong code, the limit of wrong codes)
    st.joining = null;
    showJoin(st, text);
    return;
  }
  if (kind === "gone") {
    leave(st, text);
    return;
  }
  if (kind === "retry" && resuming) { // keep the token: try again after a pause
    setStatus(st, text);
    const ws = st.ws;
    st.ws = null;
    if (ws) ws.close();
    retry(st);
    return;
  }
  if (st.pending && kind === "invalid") st.pending = null; // this answer was refused: nothing is on its way
  if (st.pending && kind === "retry") { // the answer is kept and sent again after a pause
    clearTimeout(st.resend);
    st.resend = setTimeout(() => sendPending(st), nextPause(st));
  }
  if (st.error) {
    st.error.textContent = text;
    showAck(st);
    reveal(st.error);
  } else {
    setStatus(st, text);
  }
}

function receive(st, msg) {
  if (msg.op === "joined") {
    const code = String(msg.code);
    if (code !== st.code) st.version = null; // another room: its versions start afresh
    st.joining = null;
    st.resuming = false;
    st.code = code;
    st.token = String(msg.token);
    st.nick = String(msg.nick);
    store.set(STORE + st.code, JSON.stringify({ token: st.token, nick: st.nick }));
    store.set(LAST, st.code);
    st.form.hidden = true;
    st.room.hidden = false;
    st.who.textContent = `In class ${st.code} as ${st.nick}`;
  } else if (msg.op === "state") {
    const version = versionOf(msg);
    if (older(version, st.version)) return; // a view loaded before the one drawn: stale
    if (version) st.version = version;
    render(st, msg);
  } else if (msg.op === "received") {
    if (st.question && msg.question === st.question.id) {
      st.answer = msg.shown;
      st.value = msg.value;
      if (st.pending && st.pending.question === msg.question && same(st.pending.value, msg.value)) {
        st.pending = null;
        st.pause = FIRST_PAUSE;
      }
      showAck(st);
      reveal(st.ack);
    }
  } else if (msg.op === "error") {
    refused(st, msg);
  }
}

function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

// ---- the room's state --------------------------------------------------------------------------------------------
function render(st, msg) {
  if (msg.phase === "ended") {
    leave(st, "");
    const done = make("p", { className: "cs-ended", textContent: "The class has ended. Thank you for taking part!" },
      { role: "status" });
    st.form.prepend(done);
    return;
  }
  const q = msg.question;
  const shape = `${msg.phase}:${q ? q.id : ""}`;
  st.answer = msg.answer;
  st.value = msg.value;
  if (st.pending && (!q || msg.phase !== "open" || st.pending.question !== q.id)) {
    st.pending = null; // its question is closed or gone: nothing to send any more
  }
  if (shape === st.shown) { // the same question: keep what is being typed
    showAck(st);
    sendPending(st);
    return;
  }
  st.shown = shape;
  st.question = q;
  st.body.replaceChildren();
  st.error = null;
  st.ack = null;
  if (!q) {
    st.body.append(make("p", { className: "cs-wait", textContent: "You are in. Waiting for the teacher's question…" }));
    return;
  }
  st.body.append(make("h3", { className: "cs-n", textContent: `Question ${q.n}` }));
  st.body.append(make("p", { className: "cs-prompt", textContent: q.prompt }));
  for (const t of q.tables) {
    const wrap = make("div", { className: "cs-table" });
    wrap.append(logitTable(t, ""));
    st.body.append(wrap);
  }
  for (const note of q.notes || []) st.body.append(make("p", { className: "cs-note", textContent: note }));
  if (msg.phase === "revealed") {
    st.body.append(result(msg.result));
    return;
  }
  st.body.append(input(st, q));
  st.ack = make("p", { className: "cs-ack" }, { role: "status", "aria-live": "polite" });
  st.error = make("p", { className: "cs-error" }, { role: "alert" });
  st.body.append(st.error, st.ack);
  showAck(st);
  sendPending(st);
}

// What the student is told about the answer: on its way, waiting for the connection, or received (the value
// the server confirmed). Never an older value shown as received while a newer one is on its way.
function showAck(st) {
  if (!st.ack) return;
  st.ack.replaceChildren();
  st.ack.classList.toggle("waiting", Boolean(st.pending));
  if (st.pending) {
    if (isOpen(st)) st.ack.append(make("strong", { textContent: "Sending…" }));
    else {
      st.ack.append(make("strong", { textContent: "Not connected:" }),
        " your answer will be sent when the connection is back.");
    }
    return;
  }
  if (st.answer == null) return;
  st.ack.append(make("strong", { textContent: "Answer received ✓" }), " (you can change it until the reveal)",
    make("br"), `Your answer: ${st.answer}`);
}

// Send the answer on its way (again: after a reconnection or a "retry" refusal; storing it twice is harmless,
// the server keeps one answer per student and question).
function sendPending(st) {
  const p = st.pending;
  if (!p || !st.question || p.question !== st.question.id || st.resuming) return;
  if (send(st, { op: "answer", question: p.question, value: p.value })) {
    showAck(st);
    watch(st);
  }
}

function submit(st, value) {
  st.error.textContent = "";
  clearTimeout(st.resend);
  st.pending = { question: st.question.id, value };
  if (!send(st, { op: "answer", question: st.question.id, value })) connect(st);
  showAck(st);
  reveal(st.ack);
  watch(st);
}

// A socket can look open while the network is gone (no close comes for a long time): an answer unconfirmed
// after CONFIRM_WITHIN ms drops the socket, so the page says "Not connected" and sends it again after the
// reconnection.
const CONFIRM_WITHIN = 8000;

function watch(st) {
  clearTimeout(st.watchdog);
  st.watchdog = setTimeout(() => {
    if (!st.pending || !isOpen(st)) return;
    const ws = st.ws;
    st.ws = null;
    st.resuming = false;
    ws.close();
    showAck(st);
    retry(st);
  }, CONFIRM_WITHIN);
}

function input(st, q) {
  const spec = q.input;
  const box = make("div", { className: `cs-input cs-input-${spec.type}` });
  const id = `cs${++uid}`;
  if (spec.type === "number") {
    const label = make("label", { htmlFor: id, textContent: spec.label });
    const row = make("div", { className: "cs-row" });
    const field = make("input", { id, type: "text", autocomplete: "off", spellcheck: false,
      placeholder: spec.placeholder || "" }, { inputmode: "decimal", enterkeyhint: "send", autocorrect: "off",
      "aria-describedby": `${id}-hint ${id}-note` });
    if (st.value != null) field.value = String(st.value);
    const go = make("button", { type: "button", className: "cs-primary", textContent: "Send answer" });
    row.append(field, go);
    const hint = make("p", { id: `${id}-hint`, className: "cs-hint",
      textContent: `${spec.hint ? spec.hint + " " : ""}A decimal comma is fine: 0,35 is read as 0.35.` });
    const note = make("p", { id: `${id}-note`, className: "cs-hint" }, { "aria-live": "polite" });
    const sendTyped = () => {
      const read = parseNumber(field.value);
      field.setAttribute("aria-invalid", read.error ? "true" : "false");
      note.textContent = read.note || "";
      if (read.error) { st.error.textContent = read.error; reveal(st.error); return; }
      submit(st, read.value);
    };
    go.addEventListener("click", sendTyped);
    field.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); sendTyped(); } });
    box.append(label, row, hint, note);
  } else if (spec.type === "choice") {
    const group = make("div", { className: "cs-choices" }, { role: "group", "aria-label": spec.label });
    box.append(make("p", { className: "cs-label", textContent: spec.label }), group);
    spec.options.forEach((text, i) => {
      const b = make("button", { type: "button", className: "cs-option", textContent: text },
        { "aria-pressed": String(st.value === i) });
      b.addEventListener("click", () => {
        for (const other of group.children) other.setAttribute("aria-pressed", String(other === b));
        submit(st, i);
      });
      group.append(b);
    });
  } else {
    box.append(make("p", { className: "cs-label", textContent: spec.label }));
    const picks = spec.classes.map((_, i) => (Array.isArray(st.value) ? st.value[i] : null));
    const go = make("button", { type: "button", className: "cs-primary", textContent: "Send answer" });
    spec.classes.forEach((name, i) => {
      const row = make("div", { className: "cs-updown" }, { role: "group", "aria-label": `p(${name})` });
      const label = make("span", { className: "cs-class", textContent: `p(${name})` });
      const buttons = [true, false].map((up) => {
        const b = make("button", { type: "button", className: "cs-toggle", textContent: up ? spec.up : spec.down },
          { "aria-pressed": String(picks[i] === up) });
        b.addEventListener("click", () => {
          picks[i] = up;
          buttons.forEach((other, k) => other.setAttribute("aria-pressed", String(picks[i] === (k === 0))));
          if (picks.every((p) => p !== null)) go.scrollIntoView({ block: "nearest" }); // Send, next to tap
        });
        return b;
      });
      row.append(label, ...buttons);
      box.append(row);
    });
    go.addEventListener("click", () => {
      if (picks.some((p) => p === null)) {
        st.error.textContent = "Choose up or down for every class first.";
        reveal(st.error);
        return;
      }
      submit(st, picks.slice());
    });
    box.append(go);
  }
  return box;
}

function result(r) {
  const box = make("div", { className: `cs-result ${r.correct === true ? "right" : r.correct === false ? "wrong" : ""}` },
    { role: "status" });
  const mark = r.correct === true ? "✓ " : r.correct === false ? "✗ " : "";
  box.append(make("p", { className: "cs-verdict", textContent: mark + r.verdict }));
  const facts = make("dl", { className: "cs-facts" });
  const fact = (term, text) => { if (text) facts.append(make("dt", { textContent: term }), make("dd", { textContent: text })); };
  fact("Your answer", r.answer);
  fact("The answer", r.truth);
  fact("You were", r.error);
  box.append(facts);
  box.append(make("p", { className: "cs-explain", textContent: r.explanation }));
  const link = make("a", { className: "cs-link", textContent: "Open in the Playground",
    href: new URL(`./${r.playground}`, document.baseURI).href, target: "_blank", rel: "noopener" });
  box.append(link);
  return box;
}

export default function (component) {
  const { data, parentElement } = component;
  const root = parentElement.querySelector(".class-student");
  if (root.__st) return; // one socket per component, kept across reruns of the page
  const st = { pause: FIRST_PAUSE, token: "", code: "", joining: null, shown: "", ws: null, timer: 0,
    version: null, pending: null };
  root.__st = st;
  window.addEventListener("online", () => { // the network is back: reconnect now, not after the pause
    if (!st.timer) return;
    clearTimeout(st.timer);
    clearInterval(st.ticker);
    st.timer = 0;
    connect(st);
  });
  build(root, st, { nickLimit: data.nick_limit, codeExample: data.code_example });
  const code = normalCode(String(data.code || ""));
  st.codeBox.value = code;
  const room = code || store.get(LAST) || "";
  const mine = room ? saved(room) : null;
  if (mine && mine.token) { // this browser is in that room already: rejoin it
    st.token = mine.token;
    st.codeBox.value = room;
    st.nickBox.value = mine.nick || "";
    st.code = room;
    st.form.hidden = true;
    st.room.hidden = false;
    st.who.textContent = `Rejoining class ${room}…`;
    connect(st);
  }
}
