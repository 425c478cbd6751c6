"""The Class page: a student joins and answers on a phone; a teacher starts a room, asks, shows, reveals.

Page parameters: ``join`` (a room's code: the student view opens with it filled in; the QR code's
address) and ``room`` (the teacher's room, so that a reload finds it). The teacher token is never in
a URL: it lives in the session and in the browser's localStorage (``class_projector.js`` keeps it and
hands it back to a fresh session on ``/class?room=CODE``).

Students never rerun this page: their component (``class_student.js``) speaks to the class route
(:mod:`routes.classroom`) over a websocket. The teacher's actions are buttons of this page that call
:func:`classroom.rooms.rooms` directly; the projector component keeps the count and the spread live
over the same route.
"""

from __future__ import annotations

import ipaddress
import secrets
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import segno
import streamlit as st

from classroom.db import Unavailable
from classroom.rooms import AnswerRow, RoomError, RoomGone, RoomState, rooms
from core import classroom as cc
from core.quiz import MAX_SEED, ROUND, Question
from core.scenario import Scenario
from core.text import fmt
from routes.class_hub import expire_now, teacher_view
from ui import live_panel, logit_pad, present, session
from ui.chart import CONFIG, finite
from ui.class_style import PAGE_CSS, PRESENT_PAGE_CSS, PROJECTOR_CSS, STUDENT_CSS
from ui.escape import html_escape, md_escape
from ui.frame import PageParams
from ui.quiz_view import logit_table
from ui.session import Key

_HERE = Path(__file__).parent
_COMMON_JS = (_HERE / "class_common.js").read_text(encoding="utf-8")
"""What both class components share (storage, the socket's address and pauses, view order, logits tables)."""

ROOM: Key[str] = Key("cl_room", "")
"""The code of the room this session teaches ("" when none); a URL parameter (``room``)."""
TOKEN: Key[str] = Key("cl_token", "")
"""The teacher token of that room: in the session and the browser's localStorage only."""
JOIN: Key[str] = Key("cl_join", "")
"""The code in the URL's ``join`` (the student view opens with it)."""
CLAIM: Key[str] = Key("cl_claim", "")
"""A ``room`` from the URL whose token this session does not hold yet (asked of the browser)."""
FLASH: Key[tuple[str, str]] = Key("cl_flash", ("", ""))
"""A message from the last action for the next run: ``(kind, text)``, kind "info", "success" or "error"."""
CONFIRM: Key[bool] = Key("cl_confirm_end", False)
SOURCES = {"example": "About the Playground's example", "quiz": "From the quiz"}

_student = st.components.v2.component(
    "softmax_explorer.class_student",
    html='<div class="class-student"></div>',
    css=STUDENT_CSS,
    js=logit_pad.TYPED_NUMBER_JS + _COMMON_JS + (_HERE / "class_student.js").read_text(encoding="utf-8"),
)
_projector = st.components.v2.component(
    "softmax_explorer.class_projector",
    html='<div class="class-projector"></div>',
    css=live_panel.CSS + PROJECTOR_CSS,
    js=live_panel.PARTS_JS + _COMMON_JS + (_HERE / "class_projector.js").read_text(encoding="utf-8"),
    isolate_styles=False,  # Plotly styles its toolbar from document.head
)


# ---- the URL -----------------------------------------------------------------------------------------------------
def _read_url(query: dict[str, list[str]]) -> list[str]:
    problems = []
    for name, key in (("join", JOIN), ("room", CLAIM)):
        values = query.get(name)
        if not values:
            continue
        try:
            key.set(cc.check_code(values[-1][:40]))
        except ValueError as err:
            problems.append(f"URL parameter '{name}' is not a class code: {err}")
    if CLAIM.get() and CLAIM.get() == ROOM.get():
        CLAIM.set("")
    return problems


def _write_url() -> dict[str, str]:
    if ROOM.get():
        return {"room": ROOM.get()}
    if CLAIM.get():
        return {"room": CLAIM.get()}
    return {"join": JOIN.get()} if JOIN.get() else {}


def params() -> PageParams:
    return PageParams({}, extra_names=frozenset({"join", "room"}), read_extra=_read_url, write_extra=_write_url)


# ---- actions (button callbacks: they run before the script) -------------------------------------------------------
def _flash(kind: str, text: str) -> None:
    FLASH.set((kind, text))


def _act(what: str, action: Any, *args: Any) -> Any:
    """Run a room action; a refusal becomes a message on the next run instead of a traceback."""
    try:
        return action(*args)
    except (RoomError, Unavailable, ValueError) as err:
        _flash("error", f"Could not {what}: {err}")
        return None


def _start() -> None:
    created = _act("start a class", lambda: rooms().create())
    if created is not None:
        ROOM.set(created.code)
        TOKEN.set(created.teacher_token)
        CLAIM.set("")
        JOIN.set("")


def _spec(sc: Scenario) -> dict[str, Any]:
    if st.session_state.get("cl_source", "example") == "quiz":
        return cc.spec_quiz(int(st.session_state["cl_seed"]), int(st.session_state["cl_n"]) - 1)
    return cc.spec_about(sc, str(st.session_state.get("cl_kind", cc.ABOUT_KINDS[0])))


def _ask(sc: Scenario) -> None:
    asked = _act("ask", lambda: rooms().ask(ROOM.get(), TOKEN.get(), _spec(sc)))
    if asked is not None and st.session_state.get("cl_source") == "quiz":
        st.session_state["cl_n"] = int(st.session_state["cl_n"]) % 1000 + 1  # the quiz's next question is next


def _spread() -> None:
    _act("change the spread", rooms().show_spread, ROOM.get(), TOKEN.get(), bool(st.session_state["cl_show"]))


def _reveal() -> None:
    _act("reveal", rooms().reveal, ROOM.get(), TOKEN.get())


def _forget() -> None:
    ROOM.set("")
    TOKEN.set("")
    CLAIM.set("")
    CONFIRM.set(False)


def _end() -> None:
    code = ROOM.get()
    try:
        rooms().end(code, TOKEN.get())
    except RoomGone:
        pass
    except (RoomError, Unavailable) as err:
        _flash("error", f"Could not end the class: {err}")
        return
    _forget()
    _flash("success", f"Class {code} has ended: its answers are deleted.")


def _claimed() -> None:
    state = st.session_state.get("cl_projector")
    token = state.get("token") if isinstance(state, dict) else None
    code = CLAIM.get()
    if not isinstance(token, str) or not code:
        return
    CLAIM.set("")
    if not token:
        _flash(
            "error",
            f"This browser does not hold the teacher key of class {code}: only the browser that started "
            "it can run it. Start a new class, or join it as a student.",
        )
        return
    try:
        rooms().check_teacher(code, token)
    except (RoomError, Unavailable) as err:
        _flash("error", f"Could not take class {code} back: {err}")
        return
    ROOM.set(code)
    TOKEN.set(token)


# ---- what the page draws -----------------------------------------------------------------------------------------
def flash() -> None:
    kind, text = FLASH.get()
    if text:
        FLASH.set(("", ""))
        {"error": st.error, "success": st.success}.get(kind, st.info)(md_escape(text))


def join_url(code: str) -> str:
    """The address a student opens (the QR code's): this page's, with ``?join=CODE``."""
    base = (st.context.url or "").split("?")[0].rstrip("/").removesuffix("/class")
    return f"{base}/class?join={code}"


def qr_image(url: str) -> str:
    """The join address as a QR code: an SVG drawn here by segno, inlined as an image (black on white in both
    themes: scanners read dark on light) whose alt text is the address."""
    svg = segno.make(url, error="m").svg_data_uri(omitsize=True, border=2, dark="#000", light="#fff")
    return f"<img class='cl-qr-code' src='{html_escape(svg)}' alt='QR code that opens {html_escape(url)}'>"


def url_parts(url: str) -> tuple[str, str]:
    """The join address in two pieces that each stay on one line when projected: the site (scheme, host, port
    and any base path) and the page's own part (``/class?join=CODE``)."""
    site, sep, page = url.rpartition("/class?")
    return (site, f"/class?{page}") if sep else (url, "")


def join_card(code: str) -> None:
    url = join_url(code)
    spaced = " ".join(code)
    site, page = url_parts(url)
    st.html(
        f"<div class='cl-card' role='group' aria-label='How to join this class'>"
        f"<p class='cl-label'>Join code</p><p class='cl-code' aria-label='Join code {html_escape(spaced)}'>"
        f"{html_escape(code)}</p>"
        f"<p class='cl-label'>or open</p><p class='cl-url'><span>{html_escape(site)}</span><wbr>"
        f"<span>{html_escape(page)}</span></p>"
        f"<figure class='cl-qr'>{qr_image(url)}<figcaption>Scan to join</figcaption></figure></div>"
    )


def loopback_host(url: str) -> str | None:
    """The host of ``url`` when it is this computer's own (localhost, 127.x.y.z, ::1): phones cannot open it."""
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return host
    try:
        return host if ipaddress.ip_address(host).is_loopback else None
    except ValueError:
        return None


def loopback_warning(url: str) -> str | None:
    """What to tell a teacher whose page's address only this computer can open (``None`` when phones can)."""
    host = loopback_host(url)
    if host is None:
        return None
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return (
        f"This page's address ({host}) opens only on this computer: phones cannot open it. Open this page by the "
        f"computer's network address (e.g. {parts.scheme or 'http'}://192.168.1.20{port}/class) so that the join "
        "address and the QR code work for the room."
    )


def _projector_view(state: RoomState, answers: dict[str, Any]) -> dict[str, Any]:
    """The room as the projector draws it now (the socket then keeps it live), from one snapshot: the count and
    the spread agree."""
    q = cc.build(state.question.spec) if state.question else None
    return teacher_view(state, q, list(answers.values()))


def projector(state: RoomState, view: dict[str, Any]) -> None:
    _projector(
        key="cl_projector",
        data={
            "code": state.code,
            "token": TOKEN.get(),
            "view": finite(view),
            "config": CONFIG,
            "present": present.active(),
        },
        default={"token": None},
        on_token_change=_claimed,
    )


def chooser(sc: Scenario, phase: str) -> None:
    """What to ask next: about the Playground's example (shown as a table) or a question of the quiz."""
    st.session_state.setdefault("cl_seed", secrets.randbelow(MAX_SEED + 1))
    st.session_state.setdefault("cl_n", 1)
    compact = present.active()  # on a projector: Ask must be on screen at 1440 x 900 without scrolling
    source = st.segmented_control(
        "Next question" if phase == "revealed" else "Ask a question",
        list(SOURCES),
        format_func=SOURCES.__getitem__,
        key="cl_source",
        default="example",
    )
    if source == "quiz":
        row = st.columns(2)
        row[0].number_input("Quiz seed", 0, MAX_SEED, key="cl_seed", help="The Quiz page's seed: its questions.")
        row[1].number_input("Question", 1, 1000, key="cl_n", help=f"From 1; a quiz round is {ROUND} questions.")
    else:
        table, kinds = st.columns([1, 2.2]) if compact else (st.container(), st.container())
        example = logit_table(sc, "The Playground's example")
        table.html(f"<div class='cl-example'>{example}</div>")
        kinds.radio(
            "Ask about it",
            cc.ABOUT_KINDS,
            format_func=cc.ABOUT_TITLES.__getitem__,
            key="cl_kind",
            horizontal=compact,
        )
    st.button(
        "Next question" if phase == "revealed" else "Ask",
        key="cl_ask",
        icon=":material/send:",
        on_click=_ask,
        args=(sc,),
        type="secondary",
    )


def summary(code: str) -> None:
    """One row per question (share right, median error) and the CSV of every answer."""
    exported: list[AnswerRow] = rooms().export(code, TOKEN.get())
    asked = rooms().questions(code)
    if not asked:
        return
    by_question: dict[str, list[AnswerRow]] = defaultdict(list)
    for r in exported:
        by_question[r.question_id].append(r)
    built: dict[str, Question] = {a.id: cc.build(a.spec) for a in asked}
    table = []
    for a in asked:
        q, values = built[a.id], [r.value for r in by_question[a.id]]
        s = cc.summary(q, values)
        unit = " nats" if q.kind == "loss" else ""
        table.append(
            {
                "Question": f"{a.n}. {q.prompt}",
                "Answered": str(s["answered"]),
                "Right": "—" if s["share_right"] is None else f"{s['right']} ({round(100 * s['share_right'])} %)",
                "Median error": "—" if s["median_error"] is None else fmt(s["median_error"], 3) + unit,
                "Status": "open" if a.revealed is None else "revealed",
            }
        )
    st.subheader("Summary")
    st.table(table)
    token = TOKEN.get()
    st.download_button(
        "Download answers (CSV)",
        lambda: csv_rows(code, token),  # built at the click: answers that came in since this rerun are in it
        file_name=f"class-{code}-answers.csv",
        mime="text/csv",
        key="cl_csv",
        icon=":material/download:",
        on_click="ignore",
    )


def csv_rows(code: str, token: str) -> str:
    """Every answer of the room as CSV (nickname, question, answer, truth, time)."""
    exported = rooms().export(code, token)
    built: dict[str, Question] = {}
    for r in exported:
        if r.question_id not in built:
            built[r.question_id] = cc.build(r.spec)
    rows = [cc.answer_row(r.nickname, r.question_n, built[r.question_id], r.value, r.answered) for r in exported]
    return cc.csv_text(rows)


def end_controls() -> None:
    if not CONFIRM.get():
        st.button("End class…", key="cl_end", icon=":material/logout:", on_click=CONFIRM.set, args=(True,))
        return
    st.warning(
        "End the class for everyone? Every answer is deleted: download the CSV first.", icon=":material/warning:"
    )
    row = st.container(horizontal=True, gap="small")
    row.button("Yes, end the class", key="cl_end_yes", icon=":material/delete:", on_click=_end)
    row.button("Cancel", key="cl_end_no", on_click=CONFIRM.set, args=(False,))


def teacher(sc: Scenario) -> None:
    code = ROOM.get()
    try:
        rooms().check_teacher(code, TOKEN.get())
        state, answers = rooms().snapshot(code)
    except RoomError as err:
        _forget()
        st.info(md_escape(f"Class {code} is over ({err}). Its answers are deleted."))
        landing()
        return
    warning = loopback_warning(st.context.url or "")
    if warning and not present.active():
        st.warning(md_escape(warning), icon=":material/phonelink_off:")
    left, right = st.columns([1, 2] if not present.active() else [1, 2.4], gap="large")
    with left:
        join_card(code)
    with right:
        flash()
        view = _projector_view(state, answers)
        if state.phase == "open":  # the controls first: on a projector the question and the spread fill the rest
            st.session_state["cl_show"] = state.show_spread
            row = st.container(horizontal=True, gap="medium", vertical_alignment="center")
            row.toggle("Show answers as they arrive", key="cl_show", on_change=_spread)
            row.button("Reveal", key="cl_reveal", icon=":material/visibility:", on_click=_reveal)
        projector(state, view)
        if state.phase != "open":
            if state.phase == "revealed" and view["result"]:
                st.link_button(  # relative to the page's base: also under a baseUrlPath
                    "Open in the Playground", "./" + view["result"]["playground"], icon=":material/open_in_new:"
                )
            chooser(sc, state.phase)
    if warning and present.active():  # below the projector's view: the room never sees it, the teacher does
        st.warning(md_escape(warning), icon=":material/phonelink_off:")
    summary(code)
    st.divider()
    end_controls()


def reclaim(code: str) -> None:
    """A fresh session on ``/class?room=CODE``: ask the browser for the token it keeps (the projector's state)."""
    st.info(md_escape(f"Looking for the teacher key of class {code} in this browser…"))
    _projector(
        key="cl_projector",
        data={"code": code, "claim": True, "config": CONFIG},
        default={"token": None},
        on_token_change=_claimed,
    )


def landing() -> None:
    """Join a class (the student view) and, unless a join link brought a student here, start one."""
    code = JOIN.get()
    if code:
        student(code)
        return
    join, start = st.columns([3, 2], gap="large")
    with join:
        st.subheader("Join a class")
        student("")
    with start:
        st.subheader("Start a class")
        st.markdown(
            "For the teacher: a join code and a QR code for the room, questions about the Playground's example or "
            "from the quiz, the spread of the room's answers on the projector, then the truth."
        )
        st.button("Start a class", key="cl_start", icon=":material/groups:", on_click=_start)


def student(code: str) -> None:
    _student(
        key="cl_student",
        data={"code": code, "nick_limit": cc.MAX_NICKNAME, "code_example": cc.CODE_EXAMPLE},
    )


def caption() -> str:
    """The page's caption: for a student who came by a join link, what to do; otherwise what the page does."""
    if session.query().get("join"):
        return "Join, then answer here whenever the teacher asks. Other students never see your nickname."
    return (
        "Teachers: start a class, ask the room about the example, watch the answers arrive, then reveal the truth. "
        "Students: join with the code the teacher shows."
    )


def show(sc: Scenario) -> None:
    """The page's body: the teacher's room, a teacher's reload, or the landing (join / start)."""
    st.html(PAGE_CSS)
    expire_now()  # rooms idle for hours are deleted even when no class socket is open (at most once a minute)
    try:
        if ROOM.get() and TOKEN.get():
            if present.active():  # the projector's layout: the join code is the title (the landing keeps its own)
                st.html(PRESENT_PAGE_CSS)
            teacher(sc)
        elif CLAIM.get():
            reclaim(CLAIM.get())
        else:
            flash()
            landing()
    except Unavailable as err:
        st.error(md_escape(str(err)), icon=":material/cloud_off:")
