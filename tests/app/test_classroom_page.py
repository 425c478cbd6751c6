"""The Class page in AppTest: landing, start a class, ask, reveal, summary, CSV, end; the token never in the URL.

The page's database is a real SQLite file in ``tmp_path`` (the process's ``Rooms`` is pointed at it); students
join through :class:`classroom.rooms.Rooms` itself, as the socket route would. Truths are computed here
(p(dog) of logits 2, 1, 0.1 from scipy), never read from the code under test.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from scipy.special import softmax
from streamlit.testing.v1 import AppTest

import classroom.rooms as rooms_module
from classroom.db import open_database
from classroom.rooms import Rooms
from tests.app.support import APP, plain, url

PAGE = "app_pages/class.py"


@pytest.fixture
def rooms(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Rooms:
    r = Rooms(open_database(f"sqlite:///{tmp_path / 'class.sqlite3'}"))
    monkeypatch.setattr(rooms_module, "_rooms", r)
    return r


def open_class(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()  # the page's url_path ("class") differs from its file name: switch after a first run
    for k, v in (query or {}).items():  # (the first run's page, the Playground, rewrote the URL)
        at.query_params[k] = v
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def projector_view(at: AppTest) -> dict[str, Any]:
    (element,) = [e for e in at.get("bidi_component") if e.key == "cl_projector"]
    return json.loads(element.proto.json)["view"]  # type: ignore[no-any-return]


def start(at: AppTest) -> tuple[str, str]:
    at.button(key="cl_start").click().run()
    assert not at.exception
    return str(at.session_state["cl_room"]), str(at.session_state["cl_token"])


def test_the_landing_offers_join_and_start(rooms: Rooms) -> None:
    at = open_class()
    assert [s.value for s in at.subheader] == ["Join a class", "Start a class"]
    assert [e.key for e in at.get("bidi_component") if e.key == "cl_student"] == ["cl_student"]


def test_a_join_link_opens_the_student_view_with_the_code(rooms: Rooms) -> None:
    at = open_class({"join": "k7m2-qx"})
    (student,) = [e for e in at.get("bidi_component") if e.key == "cl_student"]
    assert json.loads(student.proto.json)["code"] == "K7M2QX"
    assert not [b for b in at.button if b.key == "cl_start"]  # a phone sees only what it needs
    assert url(at)["join"] == "K7M2QX"


def test_a_bad_join_link_says_so(rooms: Rooms) -> None:
    at = open_class({"join": "<b>no</b>"})
    assert any("URL parameter 'join' is not a class code" in plain(w.value) for w in at.warning)


def test_a_whole_round_on_the_page(rooms: Rooms) -> None:
    at = open_class()
    code, token = start(at)
    assert rooms.state(code).phase == "lobby"
    assert token not in json.dumps(url(at))
    assert url(at)["room"] == code
    assert any(code in h.value for h in at.get("html"))
    assert any("<img" in h.value for h in at.get("html"))
    ana = rooms.join(code, "Ana")
    bo = rooms.join(code, '=HYPERLINK("x")')
    at.run()
    assert projector_view(at)["joined"] == 2
    at.radio(key="cl_kind").set_value("p_true").run()
    at.button(key="cl_ask").click().run()
    state = rooms.state(code)
    assert state.phase == "open"
    assert state.question is not None
    view = projector_view(at)
    assert view["question"]["prompt"].startswith("Estimate p(dog)")
    assert view["spread"] is None
    rooms.answer(code, ana.token, state.question.id, 0.3)
    rooms.answer(code, bo.token, state.question.id, 0.9)
    at.toggle(key="cl_show").set_value(True).run()
    assert rooms.state(code).show_spread is True
    assert projector_view(at)["answered"] == 2
    assert projector_view(at)["spread"]["kind"] == "chart"
    at.button(key="cl_reveal").click().run()
    assert rooms.state(code).phase == "revealed"
    truth = softmax([2.0, 1.0, 0.1])[1]  # 0.2424
    view = projector_view(at)
    assert view["result"]["truth"] == f"{truth:.3f}"
    assert [b.label for b in at.get("link_button")] == ["Open in the Playground"]
    (table,) = at.table
    row = table.value.iloc[0]
    assert (row["Answered"], row["Right"]) == ("2", "1 (50 %)")  # 0.3 is within ±0.1 of 0.242, 0.9 is not
    assert row["Median error"] == f"{(abs(0.3 - truth) + abs(0.9 - truth)) / 2:.3f}"
    assert len(at.get("download_button")) == 1
    assert at.button(key="cl_ask").label == "Next question"
    assert token not in json.dumps(url(at))


def test_the_csv_has_every_answer_with_formulas_made_inert(rooms: Rooms) -> None:
    at = open_class()
    code, token = start(at)
    ana = rooms.join(code, "=cmd()")
    at.button(key="cl_ask").click().run()
    state = rooms.state(code)
    assert state.question is not None
    rooms.answer(code, ana.token, state.question.id, 0.25)
    at.button(key="cl_reveal").click().run()
    from ui.classroom import csv_rows  # the rows the download button writes

    rows = list(csv.reader(io.StringIO(csv_rows(code, token))))
    assert rows[0] == ["nickname", "question", "answer", "truth", "time"]
    assert rows[1][0] == "'=cmd()"
    assert rows[1][2] == "0.25"
    assert rows[1][1].startswith("Q1: Estimate p(dog)")


def test_end_needs_a_confirmation_and_deletes_the_room(rooms: Rooms) -> None:
    at = open_class()
    code, _ = start(at)
    rooms.join(code, "Cy")
    at.button(key="cl_end").click().run()
    assert rooms.versions([code]) != {}  # not yet: asked first
    at.button(key="cl_end_no").click().run()
    at.button(key="cl_end").click().run()
    at.button(key="cl_end_yes").click().run()
    assert rooms.versions([code]) == {}
    assert at.session_state["cl_room"] == ""
    assert "room" not in url(at)
    assert any("has ended" in s.value for s in at.success)


def test_a_fresh_session_takes_the_room_back_with_the_browsers_token(rooms: Rooms) -> None:
    created = rooms.create()
    at = open_class({"room": created.code})
    (element,) = [e for e in at.get("bidi_component") if e.key == "cl_projector"]
    assert json.loads(element.proto.json)["claim"] is True
    assert "token" not in json.loads(element.proto.json)  # the page has no token to give: it asks for one
    assert not [b for b in at.button if b.key in ("cl_ask", "cl_end")]
    assert url(at)["room"] == created.code


def test_the_student_view_gets_the_nickname_limit_and_the_code_example(rooms: Rooms) -> None:
    at = open_class({"join": "K7M2QX"})
    (student,) = [e for e in at.get("bidi_component") if e.key == "cl_student"]
    data = json.loads(student.proto.json)
    assert data["nick_limit"] == 24  # the issue: nicknames are validated like class names, at most 24 characters
    assert data["code_example"] == "K7M2QX"


def test_the_playground_link_is_relative_to_the_pages_base(rooms: Rooms) -> None:
    at = open_class()
    start(at)
    at.button(key="cl_ask").click().run()
    at.button(key="cl_reveal").click().run()
    (link,) = at.get("link_button")
    assert link.proto.url.startswith("./?")  # no leading "/": under a baseUrlPath it stays in the app
    assert "classes=cat%2Cdog%2Crabbit" in link.proto.url or "classes=cat,dog,rabbit" in link.proto.url


def test_present_mode_puts_the_kinds_on_one_row(rooms: Rooms) -> None:
    at = open_class()
    start(at)
    at.toggle(key="present").set_value(True).run()
    assert at.radio(key="cl_kind").proto.horizontal is True
    plain_at = open_class()
    start(plain_at)
    assert plain_at.radio(key="cl_kind").proto.horizontal is False


@pytest.mark.parametrize(
    ("address", "warned"),
    [
        ("http://localhost:8501/class?room=K7M2QX", True),
        ("http://127.0.0.1:8501/class", True),
        ("http://127.10.0.3/class", True),
        ("http://[::1]:8501/class", True),
        ("http://192.168.1.20:8501/class", False),
        ("https://class.example.org/explorer/class", False),
        ("", False),
    ],
)
def test_a_loopback_address_is_named_for_the_teacher(address: str, warned: bool) -> None:
    from ui.classroom import loopback_warning

    text = loopback_warning(address)
    assert (text is not None) == warned
    if text is not None:
        assert "phones cannot open it" in text
        assert "http://192.168.1.20" in text
        assert ":8501/class" in text or "[::1]" not in address


@pytest.mark.parametrize(
    ("address", "parts"),
    [
        ("http://192.168.1.20:8501/class?join=K7M2QX", ("http://192.168.1.20:8501", "/class?join=K7M2QX")),
        ("https://x.org/app/class?join=K7M2QX", ("https://x.org/app", "/class?join=K7M2QX")),
    ],
)
def test_the_join_address_breaks_between_the_site_and_the_page(address: str, parts: tuple[str, str]) -> None:
    from ui.classroom import url_parts

    assert url_parts(address) == parts
    assert "".join(url_parts(address)) == address


def test_a_page_run_deletes_rooms_idle_for_hours(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import math
    import time

    import routes.class_hub as hub

    db = open_database(f"sqlite:///{tmp_path / 'class.sqlite3'}")
    old = Rooms(db, clock=lambda: time.time() - 5 * 3600).create()  # untouched for five hours
    fresh = Rooms(db).create()
    monkeypatch.setattr(rooms_module, "_rooms", Rooms(db))
    monkeypatch.setattr(hub, "_expired_at", -math.inf)  # not expired in this process within the last minute
    open_class()
    assert Rooms(db).versions([old.code, fresh.code]).keys() == {fresh.code}
