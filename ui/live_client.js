// The browser's end of the live path (routes/live.py): one websocket per page, shared by the
// logit control (which sends) and the live panels (which draw). Prepended to both components'
// scripts; the first to run creates window.__explorerLive, the others reuse it.
//
// - connect(): asks `api/live/hello` over HTTP, then opens `api/live` beside the app (relative to the
//   page's base URL). If the route is missing (plain `streamlit run app.py`: the hello is
//   Streamlit's HTML page, or the first socket never opens), `ready()` stays false for
//   the page's life and the control quietly commits every value instead (a rerun each). If an open
//   socket drops, the same fallback holds and the control tries again on a later gesture, after a
//   pause that doubles from 1 s up to 30 s.
// - send(msg): coalescing, one message in flight: while an answer is awaited, newer values replace
//   each other in `pending` and only the latest is sent when the answer comes.
// - answers go to every subscriber; panels draw them in the next animation frame.
// - `floorSeq`: answers to values sent before the server changed the logits itself are dropped.

function makeLive() {
  const live = {
    ws: null,
    state: "idle", // idle | asking | connecting | open | off (dropped: retried later) | absent (not there)
    retryAt: 0,
    pause: 1000,
    opened: false,
    inflightAt: 0,
    pending: null,
    listeners: new Set(),
    floorSeq: -1,
    waiting: new Map(), // panel -> the parts it draws in the next animation frame (live_panel.js)
    frame: 0,
  };
  live.ready = () => live.state === "open";
  live.connect = () => {
    if (live.state !== "idle" && live.state !== "off") return; // open, connecting, asking or absent
    if (performance.now() < live.retryAt) return;
    if (live.opened) { open(); return; }
    // First ask over plain HTTP: without the route Streamlit answers with its page (HTML, not JSON), and
    // no failed websocket handshake lands in the console.
    live.state = "asking";
    fetch(new URL("api/live/hello", document.baseURI).href, { cache: "no-store" })
      .then((r) => r.json())
      .then((hello) => { if (hello && hello.live === 1) open(); else live.state = "absent"; })
      .catch(() => { live.state = "absent"; });
  };
  const open = () => {
    let ws;
    try {
      const url = new URL("api/live", document.baseURI);
      url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
      ws = new WebSocket(url.href);
    } catch (err) {
      live.state = "absent";
      return;
    }
    live.ws = ws;
    live.state = "connecting";
    ws.onopen = () => {
      if (live.ws !== ws) return;
      live.state = "open";
      live.opened = true;
      live.pause = 1000;
    };
    ws.onmessage = (event) => {
      live.inflightAt = 0;
      let answer = null;
      try { answer = JSON.parse(event.data); } catch (err) { answer = null; }
      if (answer) live.listeners.forEach((fn) => fn(answer));
      live.flush();
    };
    const down = () => {
      if (live.ws !== ws) return;
      live.ws = null;
      live.state = live.opened ? "off" : "absent"; // never opened: the route is not there, do not knock again
      live.inflightAt = 0;
      live.pending = null;
      live.retryAt = performance.now() + live.pause;
      live.pause = Math.min(live.pause * 2, 30000);
    };
    ws.onclose = down;
    ws.onerror = down;
  };
  live.send = (msg) => {
    live.pending = msg;
    live.flush();
  };
  live.flush = () => {
    if (!live.pending || live.state !== "open") return;
    if (live.inflightAt && performance.now() - live.inflightAt < 1000) return; // sent when the answer comes
    const msg = live.pending;
    live.pending = null;
    live.inflightAt = performance.now();
    try {
      live.ws.send(JSON.stringify(msg));
    } catch (err) {
      live.inflightAt = 0;
    }
  };
  live.subscribe = (fn) => {
    live.listeners.add(fn);
    return () => live.listeners.delete(fn);
  };
  return live;
}

if (!window.__explorerLive) window.__explorerLive = makeLive();
