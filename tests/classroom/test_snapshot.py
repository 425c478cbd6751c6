"""A room read in one moment (``Rooms.snapshot``), codes from core, and expiry with no socket open, on a real
SQLite file and a real PostgreSQL database."""

from __future__ import annotations

import threading

import pytest

import classroom.rooms as rooms_module
import routes.class_hub as class_hub
from classroom.rooms import RoomGone, Rooms
from tests.classroom.conftest import Clock

SPEC = {"source": "quiz", "seed": 7, "n": 0}


def test_a_snapshot_is_the_state_and_the_answers_to_its_question(rooms: Rooms) -> None:
    c = rooms.create()
    assert rooms.snapshot(c.code) == (rooms.state(c.code), {})  # the lobby: no question, no answers
    ana, bo, _ = (rooms.join(c.code, name) for name in ("Ana", "Bo", "Cy"))
    first = rooms.ask(c.code, c.teacher_token, SPEC)
    rooms.answer(c.code, ana.token, first.id, 2)
    second = rooms.ask(c.code, c.teacher_token, SPEC)
    rooms.answer(c.code, ana.token, second.id, 0)
    rooms.answer(c.code, bo.token, second.id, 1)
    state, answers = rooms.snapshot(c.code.lower())
    assert answers == {ana.student_id: 0, bo.student_id: 1}  # the current question's only
    assert (state.code, state.phase, state.joined, state.answered) == (c.code, "open", 3, 2)
    assert state.question == second
    assert state == rooms.state(c.code)
    rooms.end(c.code, c.teacher_token)
    with pytest.raises(RoomGone):
        rooms.snapshot(c.code)


def test_a_snapshot_never_counts_other_answers_than_it_holds(rooms: Rooms) -> None:
    """Students join and answer while snapshots are read: each one's count, its answers and its joined agree."""
    c = rooms.create()
    q = rooms.ask(c.code, c.teacher_token, SPEC)
    done = threading.Event()

    def students() -> None:
        try:
            for i in range(40):
                s = rooms.join(c.code, "")
                rooms.answer(c.code, s.token, q.id, i % 3)
        finally:
            done.set()

    writer = threading.Thread(target=students)
    writer.start()
    reads = 0
    while not done.is_set() or reads == 0:
        state, answers = rooms.snapshot(c.code)
        assert state.answered == len(answers)
        assert len(answers) <= state.joined <= len(answers) + 1  # each student answers right after joining
        reads += 1
    writer.join()
    state, answers = rooms.snapshot(c.code)
    assert (state.joined, state.answered, len(answers)) == (40, 40, 40)


def test_create_takes_its_codes_from_core_and_skips_a_taken_one(rooms: Rooms, monkeypatch: pytest.MonkeyPatch) -> None:
    codes = iter(["K7M2QX", "K7M2QX", "K7M2QX", "ABCDEF"])
    monkeypatch.setattr(rooms_module, "new_code", lambda: next(codes))
    assert rooms.create().code == "K7M2QX"
    assert rooms.create().code == "ABCDEF"  # two draws of a taken code, then a free one
    assert next(codes, None) is None


@pytest.fixture
def hub_rooms(rooms: Rooms, monkeypatch: pytest.MonkeyPatch) -> Rooms:
    monkeypatch.setattr(class_hub, "rooms", lambda: rooms)
    monkeypatch.setattr(class_hub, "_expired_at", float("-inf"))
    return rooms


def test_expire_now_deletes_idle_rooms_at_most_once_a_minute_with_no_socket(hub_rooms: Rooms, clock: Clock) -> None:
    first = hub_rooms.create()
    clock.advance(4 * 3600 + 1)  # idle for 4 h 1 s
    assert class_hub.expire_now(now=1000.0) == 1
    assert hub_rooms.versions([first.code]) == {}
    second = hub_rooms.create()
    clock.advance(4 * 3600 + 1)
    assert class_hub.expire_now(now=1059.0) == 0  # 59 s after the last: not yet
    assert list(hub_rooms.versions([second.code])) == [second.code]
    assert class_hub.expire_now(now=1060.0) == 1  # a minute after it
    assert hub_rooms.versions([second.code]) == {}


def test_expire_now_never_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> Rooms:
        raise RuntimeError("no database")

    monkeypatch.setattr(class_hub, "rooms", broken)
    monkeypatch.setattr(class_hub, "_expired_at", float("-inf"))
    assert class_hub.expire_now(now=5.0) == 0
