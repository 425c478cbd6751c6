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
const FIRST_PAUSE = 1000;
const LONGEST_PAUSE = 15000;

// What a typed estimate reads as: parseTyped (typed_number.js, prepended; the logit box's rule, as
// core.query.parse_typed_number), its error written as a sentence.
function parseNumber(raw) {
  if (raw.trim() === "") return { error: "Type a number first." };
  const read = parseTyped(raw);
  return read.error ? { error: `${read.error[0].toUpperCase()}${read.error.slice(1)}.` } : read;
}

// localStorage, or a page-long stand-in where it is refused (private windows, blocked storage).
const memory = new Map();
const store = {
  get(key) {
    try { return window.localStorage.getItem(key); } catch (err) { return memory.get(key) ?? null; }
  },
  set(key, value) {
    try { window.localStorage.setItem(key, value); } catch (err) { memory.set(key, value); }
  },
  drop(key) {
    try { window.localStorage.removeItem(key); } catch (err) { memory.delete(key); }
  },
};

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

function build(root, st) {
  const id = `cs${++uid}`;
  root.replaceChildren();
  st.status = make("p", { className: "cs-status" }, { role: "status", "aria-live": "polite" });

  // The join form.
  st.form = make("form", { className: "cs-join", noValidate: true }, { "aria-label": "Join a class" });
  const codeLabel = make("label", { htmlFor: `${id}-code`, textContent: "Class code" });
  st.codeBox = make("input", { id: `${id}-code`, type: "text", className: "cs-code", maxLength: 12,
    autocomplete: "off", spellcheck: false, placeholder: "e.g. K7M2QX" },
  { autocapitalize: "characters", autocorrect: "off", enterkeyhint: "next", "aria-describedby": `${id}-join-error` });
  const nickLabel = make("label", { htmlFor: `${id}-nick`, textContent: "Nickname (optional)" });
  st.nickBox = make("input", { id: `${id}-nick`, type: "text", maxLength: 200, // longer is refused with a reason, not cut autocomplete: "nickname",
    spellcheck: false, placeholder: "leave empty to stay anonymous" }, { enterkeyhint: "go" });
  const nickHint = make("p", { className: "cs-hint",
    textContent: "Up to 24 characters. Only the teacher sees nicknames; other students never do." });
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

function open(st) {
  const url = new URL("api/class", document.baseURI);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  let ws;
  try { ws = new WebSocket(url.href); } catch (err) { retry(st); return; }
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
    if (st.token || st.joining) retry(st);
  };
  ws.onclose = down;
  ws.onerror = down;
}

function retry(st) {
  const wait = st.pause;
  st.pause = Math.min(st.pause * 2, LONGEST_PAUSE);
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
  if (!st.ws || st.ws.readyState !== WebSocket.OPEN) return false;
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

// Forget the room (the student left, or it ended) and show the join form again.
function leave(st, message) {
  if (st.code) store.drop(STORE + st.code);
  store.drop(LAST);
  st.token = "";
  st.code = "";
  st.joining = null;
  st.shown = "";
  clearTimeout(st.timer);
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

function receive(st, msg) {
  if (msg.op === "joined") {
    st.joining = null;
    st.code = String(msg.code);
    st.token = String(msg.token);
    st.nick = String(msg.nick);
    store.set(STORE + st.code, JSON.stringify({ token: st.token, nick: st.nick }));
    store.set(LAST, st.code);
    st.form.hidden = true;
    st.room.hidden = false;
    st.who.textContent = `In class ${st.code} as ${st.nick}`;
  } else if (msg.op === "state") {
    render(st, msg);
  } else if (msg.op === "received") {
    if (st.question && msg.question === st.question.id) {
      st.answer = msg.shown;
      st.value = msg.value;
      showAck(st);
    }
  } else if (msg.op === "error") {
    const text = String(msg.error || "Refused.");
    if (st.resuming) {
      st.resuming = false;
      leave(st, `Could not rejoin class ${st.code}: ${text}`);
    } else if (!st.code) {
      st.joining = null;
      showJoin(st, text);
    } else if (st.error) {
      st.error.textContent = text;
    }
  }
  if (msg.op === "joined") st.resuming = false;
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
  if (shape === st.shown) { showAck(st); return; } // the same question: keep what is being typed
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
  for (const t of q.tables) st.body.append(table(t));
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
}

function table(t) {
  const wrap = make("div", { className: "cs-table" });
  const el = make("table");
  if (t.caption) el.createCaption().textContent = t.caption;
  const head = el.createTHead().insertRow();
  for (const h of t.header) head.append(make("th", { textContent: h }, { scope: "col" }));
  const body = el.createTBody();
  for (const r of t.rows) {
    const row = body.insertRow();
    if (r.true) row.className = "true";
    const name = make("th", { textContent: r.name }, { scope: "row" });
    if (r.mark) name.append(" ", make("strong", { textContent: r.mark }));
    row.append(name, make("td", { textContent: r.logit }));
  }
  wrap.append(el);
  return wrap;
}

function showAck(st) {
  if (!st.ack) return;
  st.ack.replaceChildren();
  if (st.answer == null) return;
  st.ack.append(make("strong", { textContent: "Answer received ✓" }), " (you can change it until the reveal)",
    make("br"), `Your answer: ${st.answer}`);
}

function submit(st, value) {
  st.error.textContent = "";
  if (!send(st, { op: "answer", question: st.question.id, value })) {
    st.error.textContent = "Not connected: your answer was not sent. Reconnecting…";
    connect(st);
  }
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
      if (read.error) { st.error.textContent = read.error; return; }
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
    spec.classes.forEach((name, i) => {
      const row = make("div", { className: "cs-updown" }, { role: "group", "aria-label": `p(${name})` });
      const label = make("span", { className: "cs-class", textContent: `p(${name})` });
      const buttons = [true, false].map((up) => {
        const b = make("button", { type: "button", className: "cs-toggle", textContent: up ? spec.up : spec.down },
          { "aria-pressed": String(picks[i] === up) });
        b.addEventListener("click", () => {
          picks[i] = up;
          buttons.forEach((other, k) => other.setAttribute("aria-pressed", String(picks[i] === (k === 0))));
        });
        return b;
      });
      row.append(label, ...buttons);
      box.append(row);
    });
    const go = make("button", { type: "button", className: "cs-primary", textContent: "Send answer" });
    go.addEventListener("click", () => {
      if (picks.some((p) => p === null)) { st.error.textContent = "Choose up or down for every class first."; return; }
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
  const st = { pause: FIRST_PAUSE, token: "", code: "", joining: null, shown: "", ws: null, timer: 0 };
  root.__st = st;
  build(root, st);
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
