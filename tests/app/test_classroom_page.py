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

PAGE = "app_pages/classroom.py"


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
