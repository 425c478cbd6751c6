"""A room's life on a real database (SQLite file and PostgreSQL): every operation and every refusal."""

from __future__ import annotations

import json
import string
from typing import Any

import pytest

import classroom.rooms as rooms_module
from classroom.db import Database
from classroom.rooms import NotAllowed, RoomError, RoomGone, Rooms
from tests.classroom.conftest import Clock

SPEC = {"source": "quiz", "seed": 7, "n": 0}
SPEC2 = {"source": "example", "kind": "loss", "query": "classes=cat,dog,rabbit&logits=2,1,0.1&target=dog"}


def _count(db: Database, sql: str, params: tuple[object, ...] = ()) -> int:
    row = db.run(lambda tx: tx.one(sql, params), write=False)
    assert row is not None
    return int(row[0])


def _room_rows(db: Database, code: str) -> dict[str, int]:
    """Rows that belong to one room, table by table, counted with SQL of the test's own."""
    return {
        "rooms": _count(db, "SELECT COUNT(*) FROM rooms WHERE code = ?", (code,)),
        "questions": _count(db, "SELECT COUNT(*) FROM questions WHERE code = ?", (code,)),
        "students": _count(db, "SELECT COUNT(*) FROM students WHERE code = ?", (code,)),
        "answers": _count(
            db, "SELECT COUNT(*) FROM answers WHERE question_id IN (SELECT id FROM questions WHERE code = ?)", (code,)
        ),
    }


# ---- creating and joining -------------------------------------------------------------------------------------


def test_create_gives_a_code_of_six_unambiguous_characters_and_a_secret_token(rooms: Rooms, db: Database) -> None:
    made = [rooms.create() for _ in range(20)]
    for c in made:
        assert len(c.code) == 6
        assert not set(c.code) & set("0O1IL"), c.code
        assert set(c.code) <= set(string.ascii_uppercase + string.digits)
        assert len(c.teacher_token) >= 32
    assert len({c.code for c in made}) == 20
    assert len({c.teacher_token for c in made}) == 20
    stored = db.run(lambda tx: tx.all("SELECT teacher_hash FROM rooms"), write=False)
    tokens = {c.teacher_token for c in made}
    assert all(h not in tokens and len(h) == 64 for (h,) in stored), "only SHA-256 hex digests are stored"


def test_a_new_room_waits_in_the_lobby(rooms: Rooms) -> None:
    c = rooms.create()
    s = rooms.state(c.code)
    assert (s.code, s.phase, s.show_spread, s.question, s.joined, s.answered) == (c.code, "lobby", False, None, 0, 0)
    assert rooms.questions(c.code) == []


def test_join_and_resume(rooms: Rooms) -> None:
    c = rooms.create()
    ana = rooms.join(c.code, "  Ana ")
    assert ana.nickname == "Ana"
    assert ana.code == c.code
    again = rooms.resume(c.code, ana.token)
    assert again == ana
    assert rooms.state(c.code).joined == 1


def test_the_code_is_read_as_a_person_types_it(rooms: Rooms) -> None:
    c = rooms.create()
    typed = f" {c.code[:3].lower()}-{c.code[3:].lower()} "
    assert rooms.join(typed, "Bo").code == c.code
    assert rooms.state(typed).joined == 1


def test_anonymous_students_are_numbered_in_join_order(rooms: Rooms) -> None:
    c = rooms.create()
    names = [rooms.join(c.code, n).nickname for n in ["", "Ana", "", "Student 4", ""]]
    # the 4th joiner took "Student 4" by hand; the 5th is "Student 5"
    assert names == ["Student 1", "Ana", "Student 3", "Student 4", "Student 5"]


def test_nicknames_are_unique_in_a_room_ignoring_case(rooms: Rooms) -> None:
    c = rooms.create()
    names = [rooms.join(c.code, n).nickname for n in ["Ana", "ana", "ANA", "Ana (2)", "Bo"]]
    assert names == ["Ana", "ana (2)", "ANA (3)", "Ana (2) (2)", "Bo"]
    long = "x" * 24
    first, second = rooms.join(c.code, long).nickname, rooms.join(c.code, long).nickname
    assert first == long
    assert second == "x" * 20 + " (2)"
    assert len(second) == 24
    other = rooms.create()
    assert rooms.join(other.code, "Ana").nickname == "Ana", "another room's names do not count"


HOSTILE = [
    "<script>alert(1)</script",
    "<svg onload=alert(1)>",
    "';DROP TABLE students;--",
    'Robert"); DROP TABLE--',
    "%s %(x)s ? $1 :name",
    "{{7*7}} ${7*7}",
    "👩‍💻 Zoë ❤",
    "مرحبا שלום",
    "&lt;b&gt;",
    "\\x00 \\n",
]


@pytest.mark.parametrize("nick", HOSTILE)
def test_hostile_nicknames_are_stored_as_text_exactly(rooms: Rooms, db: Database, nick: str) -> None:
    c = rooms.create()
    q = rooms.ask(c.code, c.teacher_token, SPEC)
    j = rooms.join(c.code, nick)
    assert j.nickname == nick
    rooms.answer(c.code, j.token, q.id, 0.5)
    assert rooms.resume(c.code, j.token).nickname == nick
    assert [r.nickname for r in rooms.export(c.code, c.teacher_token)] == [nick]
    assert db.run(lambda tx: tx.all("SELECT nickname FROM students"), write=False) == [(nick,)]
    assert _count(db, "SELECT COUNT(*) FROM rooms") == 1, "the tables are all still there"


@pytest.mark.parametrize(
    ("nick", "why"),
    [("A\x00B", "control"), ("x" * 25, "at most 24"), ("a\u202eb", "control"), ("\u200b", "invisible")],
)
def test_bad_nicknames_are_refused_with_a_reason(rooms: Rooms, nick: str, why: str) -> None:
    c = rooms.create()
    with pytest.raises(RoomError, match=why) as e:
        rooms.join(c.code, nick)
    assert not isinstance(e.value, RoomGone | NotAllowed)
    assert str(e.value)
    assert rooms.state(c.code).joined == 0


def test_a_full_room_refuses_more_students(rooms: Rooms, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rooms_module, "MAX_STUDENTS", 3)
    c = rooms.create()
    joined = [rooms.join(c.code, "") for _ in range(3)]
    with pytest.raises(RoomError, match="full") as e:
        rooms.join(c.code, "late")
    assert not isinstance(e.value, RoomGone)
    assert rooms.state(c.code).joined == 3
    assert rooms.resume(c.code, joined[0].token) == joined[0], "those inside can still reconnect"


def test_the_real_limit_is_500(rooms: Rooms) -> None:
    assert rooms_module.MAX_STUDENTS == 500


# ---- wrong codes and wrong tokens --------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["ABCDEF", "K7M2QX", "k7m2qx", "", "SHORT", "TOOLONG7", "ABC DE0", "../../x"])
def test_a_wrong_code_is_room_gone_everywhere(rooms: Rooms, bad: str) -> None:
    c = rooms.create()
    if bad.upper() == c.code:
        pytest.skip("the random code happened to be this one")
    j = rooms.join(c.code, "Ana")
    calls = [
        lambda: rooms.join(bad, "Eve"),
        lambda: rooms.resume(bad, j.token),
        lambda: rooms.state(bad),
        lambda: rooms.answer(bad, j.token, "x", 1),
        lambda: rooms.ask(bad, c.teacher_token, SPEC),
        lambda: rooms.reveal(bad, c.teacher_token),
        lambda: rooms.show_spread(bad, c.teacher_token, True),
        lambda: rooms.export(bad, c.teacher_token),
        lambda: rooms.end(bad, c.teacher_token),
        lambda: rooms.check_teacher(bad, c.teacher_token),
        lambda: rooms.answers(bad, "x"),
        lambda: rooms.questions(bad),
    ]
    for call in calls:
        with pytest.raises(RoomGone) as e:
            call()
        assert str(e.value).strip()
    assert rooms.state(c.code).joined == 1
    assert rooms.versions([bad.upper()]) == {}


def test_a_student_cannot_do_what_only_the_teacher_can(rooms: Rooms) -> None:
    c = rooms.create()
    q = rooms.ask(c.code, c.teacher_token, SPEC)
    s = rooms.join(c.code, "Eve")
    rooms.answer(c.code, s.token, q.id, 0.25)
    other = rooms.create()
    before = rooms.state(c.code)
    for token in [s.token, other.teacher_token, "", "x", c.teacher_token[:-1], c.teacher_token + "x"]:
        for name, call in {
            "ask": lambda t=token: rooms.ask(c.code, t, SPEC2),
            "reveal": lambda t=token: rooms.reveal(c.code, t),
            "spread": lambda t=token: rooms.show_spread(c.code, t, True),
            "end": lambda t=token: rooms.end(c.code, t),
            "export": lambda t=token: rooms.export(c.code, t),
            "check": lambda t=token: rooms.check_teacher(c.code, t),
        }.items():
            with pytest.raises(NotAllowed, match="teacher"):
                call()
            assert rooms.state(c.code) == before, name
    assert rooms.export(c.code, c.teacher_token)[0].value == 0.25
    rooms.check_teacher(c.code, c.teacher_token)


@pytest.mark.parametrize("token", ["\x00", "\ud800", "a" * 10_000, None, 123, ["t"]])
def test_hostile_tokens_are_refused_cleanly(rooms: Rooms, token: object) -> None:
    c = rooms.create()
    q = rooms.ask(c.code, c.teacher_token, SPEC)
    with pytest.raises(NotAllowed):
        rooms.answer(c.code, token, q.id, 1)  # type: ignore[arg-type]
    with pytest.raises(NotAllowed):
        rooms.resume(c.code, token)  # type: ignore[arg-type]
    with pytest.raises(NotAllowed):
        rooms.reveal(c.code, token)  # type: ignore[arg-type]
    with pytest.raises(NotAllowed):
        rooms.check_teacher(c.code, token)  # type: ignore[arg-type]
    assert rooms.state(c.code).phase == "open"


@pytest.mark.parametrize("nick", [None, 123, ["Ana"]])
def test_a_nickname_that_is_not_text_is_refused(rooms: Rooms, nick: object) -> None:
    c = rooms.create()
    with pytest.raises(RoomError) as e:
        rooms.join(c.code, nick)  # type: ignore[arg-type]
    assert not isinstance(e.value, RoomGone | NotAllowed)
    assert rooms.state(c.code).joined == 0


@pytest.mark.parametrize("code", [None, 123, ["ABCDEF"], "\x00BCDEF"])
def test_a_code_that_is_not_text_is_room_gone(rooms: Rooms, code: object) -> None:
    with pytest.raises(RoomGone):
        rooms.join(code, "Ana")  # type: ignore[arg-type]


def test_a_student_cannot_answer_for_another_or_in_another_room(rooms: Rooms) -> None:
    a, b = rooms.create(), rooms.create()
    qa = rooms.ask(a.code, a.teacher_token, SPEC)
    qb = rooms.ask(b.code, b.teacher_token, SPEC)
    ana = rooms.join(a.code, "Ana")
    bo = rooms.join(b.code, "Bo")
    for code, token, qid in [
        (a.code, bo.token, qa.id),  # Bo's token in room A
        (a.code, a.teacher_token, qa.id),  # the teacher is not a student
        (a.code, "", qa.id),
        (a.code, ana.token + "x", qa.id),
        (b.code, ana.token, qb.id),
    ]:
        with pytest.raises(NotAllowed):
            rooms.answer(code, token, qid, 0.5)
    with pytest.raises(NotAllowed):
        rooms.resume(a.code, bo.token)
    with pytest.raises(RoomError):
        rooms.answer(a.code, ana.token, qb.id, 0.5)  # room B's question through room A
    assert rooms.answers(a.code, qa.id) == {}
    assert rooms.answers(b.code, qb.id) == {}


# ---- questions and answers ---------------------------------------------------------------------------------------


def test_a_round(rooms: Rooms, clock: Clock) -> None:
    c = rooms.create()
    ana, bo = rooms.join(c.code, "Ana"), rooms.join(c.code, "Bo")
    clock.advance(10)
    q = rooms.ask(c.code, c.teacher_token, SPEC)
    assert (q.n, q.spec, q.asked, q.revealed) == (1, SPEC, clock.now, None)
    s = rooms.state(c.code)
    assert (s.phase, s.question, s.joined, s.answered) == ("open", q, 2, 0)

    clock.advance(5)
    rooms.answer(c.code, ana.token, q.id, 0.4)
    clock.advance(1)
    rooms.answer(c.code, bo.token, q.id, [True, False, False])
    assert rooms.state(c.code).answered == 2
    clock.advance(1)
    rooms.answer(c.code, ana.token, q.id, 0.7)  # a change of mind replaces the first answer
    assert rooms.state(c.code).answered == 2
    assert rooms.answers(c.code, q.id) == {ana.student_id: 0.7, bo.student_id: [True, False, False]}

    clock.advance(3)
    revealed = rooms.reveal(c.code, c.teacher_token)
    assert (revealed.id, revealed.revealed) == (q.id, clock.now)
    assert rooms.state(c.code).phase == "revealed"
    with pytest.raises(RoomError, match="closed"):
        rooms.answer(c.code, bo.token, q.id, 0.1)
    assert rooms.answers(c.code, q.id)[bo.student_id] == [True, False, False], "a refused answer is not stored"
    with pytest.raises(RoomError, match="No question is open"):
        rooms.reveal(c.code, c.teacher_token)


def test_asking_again_reveals_the_open_question_first(rooms: Rooms, clock: Clock) -> None:
    c = rooms.create()
    s = rooms.join(c.code, "")
    q1 = rooms.ask(c.code, c.teacher_token, SPEC)
    rooms.answer(c.code, s.token, q1.id, 3)
    clock.advance(60)
    q2 = rooms.ask(c.code, c.teacher_token, SPEC2)
    assert q2.n == 2
    assert q2.id != q1.id
    first, second = rooms.questions(c.code)
    assert (first.id, first.revealed) == (q1.id, clock.now)
    assert second == q2
    with pytest.raises(RoomError, match="closed"):
        rooms.answer(c.code, s.token, q1.id, 4)  # the old question is closed
    rooms.answer(c.code, s.token, q2.id, 1)
    assert rooms.state(c.code).answered == 1, "the count is of the current question"
    assert rooms.answers(c.code, q1.id) == {s.student_id: 3}


@pytest.mark.parametrize("qid", ["", "nope", "' OR 1=1 --", "0" * 32, "\x00", "a" * 10_000, "A" * 32, 5, None, ["x"]])
def test_an_answer_to_a_question_that_is_not_open_is_refused(rooms: Rooms, qid: Any) -> None:
    c = rooms.create()
    s = rooms.join(c.code, "")
    with pytest.raises(RoomError) as lobby:
        rooms.answer(c.code, s.token, qid, 1)
    assert not isinstance(lobby.value, NotAllowed | RoomGone)
    q = rooms.ask(c.code, c.teacher_token, SPEC)
    with pytest.raises(RoomError) as open_:
        rooms.answer(c.code, s.token, qid, 1)
    assert not isinstance(open_.value, NotAllowed | RoomGone)
    assert rooms.answers(c.code, q.id) == {}
    try:
        seen: object = rooms.answers(c.code, qid)
    except RoomError as e:  # an id that cannot be one is refused outright
        seen = type(e)
    assert seen in ({}, RoomError)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), {1, 2}, object()])
def test_a_value_that_is_not_json_is_refused(rooms: Rooms, value: object) -> None:
    c = rooms.create()
    s = rooms.join(c.code, "")
    q = rooms.ask(c.code, c.teacher_token, SPEC)
    with pytest.raises(RoomError, match="cannot be stored"):
        rooms.answer(c.code, s.token, q.id, value)
    assert rooms.state(c.code).answered == 0


def test_a_spec_that_is_not_a_json_object_is_refused(rooms: Rooms) -> None:
    c = rooms.create()
    for spec in [["quiz"], {"x": float("nan")}, {"x": object()}]:
        with pytest.raises(RoomError):
            rooms.ask(c.code, c.teacher_token, spec)  # type: ignore[arg-type]
    assert rooms.questions(c.code) == []
    assert rooms.state(c.code).phase == "lobby"


def test_export_lists_every_answer_by_question_then_time(rooms: Rooms, clock: Clock) -> None:
    c = rooms.create()
    ana, bo, cy = (rooms.join(c.code, n) for n in ["Ana", "Bo", ""])
    q1 = rooms.ask(c.code, c.teacher_token, SPEC)
    sent = []
    for who, value in [(bo, 0.2), (ana, 0.9), (bo, 0.3)]:  # Bo changes his answer last
        clock.advance(2)
        rooms.answer(c.code, who.token, q1.id, value)
        sent.append((who, value, clock.now))
    q2 = rooms.ask(c.code, c.teacher_token, SPEC2)
    clock.advance(2)
    rooms.answer(c.code, cy.token, q2.id, 2)
    cy_time = clock.now
    rows = rooms.export(c.code, c.teacher_token)
    got = [(r.nickname, r.student_id, r.question_n, r.question_id, r.spec, r.value, r.answered) for r in rows]
    assert got == [
        ("Ana", ana.student_id, 1, q1.id, SPEC, 0.9, sent[1][2]),
        ("Bo", bo.student_id, 1, q1.id, SPEC, 0.3, sent[2][2]),
        ("Student 3", cy.student_id, 2, q2.id, SPEC2, 2, cy_time),
    ]


def test_versions_bump_as_documented(rooms: Rooms) -> None:
    c = rooms.create()

    def v() -> tuple[int, int]:
        s = rooms.state(c.code)
        assert rooms.versions([c.code]) == {c.code: (s.version, s.answers_version)}
        return s.version, s.answers_version

    v0, a0 = v()
    s = rooms.join(c.code, "")
    assert v() == (v0, a0 + 1), "a join bumps answers_version"
    q = rooms.ask(c.code, c.teacher_token, SPEC)
    assert v() == (v0 + 1, a0 + 1), "ask bumps version"
    rooms.answer(c.code, s.token, q.id, 1)
    rooms.answer(c.code, s.token, q.id, 2)
    assert v() == (v0 + 1, a0 + 3), "every stored answer bumps answers_version"
    rooms.show_spread(c.code, c.teacher_token, True)
    assert v() == (v0 + 2, a0 + 3)
    rooms.show_spread(c.code, c.teacher_token, True)
    assert v() == (v0 + 2, a0 + 3), "no change, no bump"
    assert rooms.state(c.code).show_spread is True
    rooms.reveal(c.code, c.teacher_token)
    assert v() == (v0 + 3, a0 + 3)
    with pytest.raises(RoomError):
        rooms.answer(c.code, s.token, q.id, 3)
    with pytest.raises(NotAllowed):
        rooms.ask(c.code, s.token, SPEC)
    assert v() == (v0 + 3, a0 + 3), "refusals change nothing"
    rooms.resume(c.code, s.token)
    rooms.state(c.code)
    rooms.questions(c.code)
    rooms.export(c.code, c.teacher_token)
    assert v() == (v0 + 3, a0 + 3), "reads change nothing"
    rooms.end(c.code, c.teacher_token)
    assert rooms.versions([c.code]) == {}, "an ended room is absent"


def test_versions_of_many_rooms_in_one_call(rooms: Rooms) -> None:
    made = [rooms.create() for _ in range(5)]
    rooms.join(made[2].code, "")
    got = rooms.versions([m.code for m in made] + ["ZZZZZZ", made[0].code])
    assert set(got) == {m.code for m in made}
    assert got[made[2].code][1] == got[made[1].code][1] + 1
    assert rooms.versions([]) == {}


def test_end_deletes_the_room_and_everything_in_it(rooms: Rooms, db: Database) -> None:
    c, keep = rooms.create(), rooms.create()
    for code, token in [(c.code, c.teacher_token), (keep.code, keep.teacher_token)]:
        students = [rooms.join(code, "") for _ in range(3)]
        for spec in (SPEC, SPEC2):
            q = rooms.ask(code, token, spec)
            for s in students:
                rooms.answer(code, s.token, q.id, 1)
    full = {"rooms": 1, "questions": 2, "students": 3, "answers": 6}
    assert _room_rows(db, c.code) == full
    rooms.end(c.code, c.teacher_token)
    assert _room_rows(db, c.code) == {"rooms": 0, "questions": 0, "students": 0, "answers": 0}
    assert _room_rows(db, keep.code) == full, "the other room is untouched"
    with pytest.raises(RoomGone):
        rooms.state(c.code)
    with pytest.raises(RoomGone):
        rooms.end(c.code, c.teacher_token)


def test_expire_deletes_idle_rooms_and_only_them(rooms: Rooms, db: Database, clock: Clock) -> None:
    hour = 3600.0
    old, busy, young = rooms.create(), rooms.create(), rooms.create()
    s = rooms.join(busy.code, "")
    q = rooms.ask(busy.code, busy.teacher_token, SPEC)
    clock.advance(2 * hour)
    rooms.answer(busy.code, s.token, q.id, 1)  # a write keeps the room alive
    clock.advance(1 * hour)
    rooms.state(old.code)  # a read does not
    rooms.ask(young.code, young.teacher_token, SPEC)
    clock.advance(1 * hour + 1)  # old: idle 4 h 1 s; busy: 2 h; young: 1 h
    assert rooms.expire() == 1
    assert set(rooms.versions([old.code, busy.code, young.code])) == {busy.code, young.code}
    assert _room_rows(db, old.code) == {"rooms": 0, "questions": 0, "students": 0, "answers": 0}
    assert rooms.expire() == 0, "nothing left to expire"
    assert rooms.expire(idle_seconds=1.5 * hour) == 1  # busy's last write was 2 h 1 s ago
    assert set(rooms.versions([busy.code, young.code])) == {young.code}
    assert 4 * hour == rooms_module.IDLE_SECONDS


def test_create_expires_idle_rooms(rooms: Rooms, clock: Clock) -> None:
    old = rooms.create()
    clock.advance(4 * 3600 + 1)
    new = rooms.create()
    assert rooms.versions([old.code, new.code]) == {new.code: rooms.versions([new.code])[new.code]}


def test_answer_values_come_back_as_sent(rooms: Rooms) -> None:
    c = rooms.create()
    q = rooms.ask(c.code, c.teacher_token, SPEC)
    values = [0.1 + 0.2, 1e-300, 2, -0.0, [True, False, True], 0, 100.0]
    students = [rooms.join(c.code, "") for _ in values]
    for s, v in zip(students, values, strict=True):
        rooms.answer(c.code, s.token, q.id, v)
    got = rooms.answers(c.code, q.id)
    for s, v in zip(students, values, strict=True):
        assert json.dumps(got[s.student_id]) == json.dumps(v), "bit for bit, type for type"


def test_each_new_question_starts_with_its_spread_hidden(rooms: Rooms) -> None:
    """The room commits before it sees the others' answers: the spread shown for one question is not carried over."""
    c = rooms.create()
    rooms.ask(c.code, c.teacher_token, SPEC)
    rooms.show_spread(c.code, c.teacher_token, True)
    rooms.reveal(c.code, c.teacher_token)
    assert rooms.state(c.code).show_spread is True  # the revealed question keeps its spread
    rooms.ask(c.code, c.teacher_token, SPEC2)
    assert rooms.state(c.code).show_spread is False


def test_a_wrong_code_says_so_without_claiming_the_class_once_existed(rooms: Rooms) -> None:
    with pytest.raises(RoomGone) as caught:
        rooms.join("ZZZZZ2", "")
    assert (
        str(caught.value)
        == "No class has the code ZZZZZ2: check it with your teacher (a class that has ended is gone)."
    )
