// What class mode's two components share (prepended to class_student.js and class_projector.js): one copy of
// the browser's storage, the socket's address and its reconnection pauses, the order of pushed views and the
// logits table both draw. Text is set with textContent, never as markup.

const FIRST_PAUSE = 1000; // ms before the first reconnection; doubled each time up to LONGEST_PAUSE
const LONGEST_PAUSE = 15000;

// localStorage, or a page-long stand-in where it is refused (private windows, blocked storage).
const classMemory = new Map();
const store = {
  get(key) {
    try { return window.localStorage.getItem(key); } catch (err) { return classMemory.get(key) ?? null; }
  },
  set(key, value) {
    try { window.localStorage.setItem(key, value); } catch (err) { classMemory.set(key, value); }
  },
  drop(key) {
    try { window.localStorage.removeItem(key); } catch (err) { classMemory.delete(key); }
  },
};

// The class route's websocket address, beside the app (a baseUrlPath included).
function classSocketUrl() {
  const url = new URL("api/class", document.baseURI);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
}

// The pause before the next reconnection, and the state's next one (doubling up to LONGEST_PAUSE).
function nextPause(st) {
  const wait = st.pause || FIRST_PAUSE;
  st.pause = Math.min(wait * 2, LONGEST_PAUSE);
  return wait;
}

// Is version `a` ([version, answers_version]) older than `b`? Compared as a pair, left first; a view without
// one (an older server) is never dropped.
function older(a, b) {
  if (!Array.isArray(a) || !Array.isArray(b)) return false;
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}

// A pushed view's version ("versions" is the name older servers used).
function versionOf(view) {
  return (view && (view.version || view.versions)) || null;
}

// A logits table as core.classroom.question_view writes it: {caption, header, rows: [{name, mark, logit, true}]}.
// `className` is the table's (the projector uses the app's "steps quiz" look).
function logitTable(t, className) {
  const table = document.createElement("table");
  if (className) table.className = className;
  if (t.caption) table.createCaption().textContent = t.caption;
  const head = table.createTHead().insertRow();
  for (const h of t.header) {
    const th = document.createElement("th");
    th.textContent = h;
    th.scope = "col";
    head.append(th);
  }
  const body = table.createTBody();
  for (const r of t.rows) {
    const row = body.insertRow();
    if (r.true) row.className = "true";
    const name = document.createElement("th");
    name.scope = "row";
    name.textContent = r.name;
    if (r.mark) {
      const mark = document.createElement("strong");
      mark.textContent = r.mark;
      name.append(" ", mark);
    }
    const logit = document.createElement("td");
    logit.textContent = r.logit;
    row.append(name, logit);
  }
  return table;
}
