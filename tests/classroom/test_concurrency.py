"""Many writers at once: threads sharing one Database, and processes sharing one database."""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from classroom.db import Database
from classroom.rooms import Joined, Rooms
from classroom.schema import migrate

SPEC = {"source": "quiz", "seed": 11, "n": 2}
THREADS = 8
STUDENTS = 200


def test_200_students_join_and_answer_from_8_threads(rooms: Rooms, db: Database) -> None:
    c = rooms.create()
    start = threading.Barrier(THREADS)

    def join_many(k: int) -> list[Joined]:
        start.wait(timeout=60)
        return [rooms.join(c.code, "") for _ in range(STUDENTS // THREADS)]

    with ThreadPoolExecutor(THREADS) as pool:
        students = [s for batch in pool.map(join_many, range(THREADS)) for s in batch]
    assert len(students) == STUDENTS
    assert sorted(s.nickname for s in students) == sorted(f"Student {n}" for n in range(1, STUDENTS + 1))
    assert len({s.student_id for s in students}) == STUDENTS

    q = rooms.ask(c.code, c.teacher_token, SPEC)
    expected: dict[str, Any] = {}
    for i, s in enumerate(students):
        expected[s.student_id] = [True, False, i % 3 == 0] if i % 2 == 0 else i / 1000
    start.reset()

    def answer_many(k: int) -> int:
        mine = students[k::THREADS]
        start.wait(timeout=60)
        for s in mine:  # a first answer, then a change of mind
            rooms.answer(c.code, s.token, q.id, -1)
        for s in mine:
            rooms.answer(c.code, s.token, q.id, expected[s.student_id])
        return len(mine)

    with ThreadPoolExecutor(THREADS) as pool:
        assert sum(pool.map(answer_many, range(THREADS))) == STUDENTS

    rows = db.run(lambda tx: tx.all("SELECT student_id, value FROM answers WHERE question_id = ?", (q.id,)), False)
    assert len(rows) == STUDENTS, "one row per student: none lost, none twice"
    assert rooms.answers(c.code, q.id) == expected
    state = rooms.state(c.code)
    assert (state.joined, state.answered) == (STUDENTS, STUDENTS)
    first = rooms.versions([c.code])[c.code]
    assert state.answers_version == 1 + STUDENTS + 2 * STUDENTS == first[1], "every join and answer counted once"


def _student_process(url: str, code: str, qid: str, label: str, count: int, barrier: Any, out: Any) -> None:
    db = Database(url)
    try:
        migrate(db)  # both processes open (and check the schema) at the same moment
        rooms = Rooms(db)
        barrier.wait(timeout=60)
        sent = {}
        for i in range(count):
            s = rooms.join(code, f"{label}{i}")
            rooms.answer(code, s.token, qid, i)
            sent[s.student_id] = i
        out.put(("ok", sent))
    except Exception as e:  # reported to the parent, which fails the test
        out.put(("error", repr(e)))
    finally:
        db.close()


def test_two_processes_write_to_one_room_at_once(rooms: Rooms, db_url: str) -> None:
    c = rooms.create()
    q = rooms.ask(c.code, c.teacher_token, SPEC)
    ctx = multiprocessing.get_context("fork")
    barrier, out = ctx.Barrier(2), ctx.Queue()
    procs = [
        ctx.Process(target=_student_process, args=(db_url, c.code, q.id, label, 60, barrier, out))
        for label in ("a", "b")
    ]
    for p in procs:
        p.start()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert [r[0] for r in results] == ["ok", "ok"], results
    sent = {**results[0][1], **results[1][1]}
    assert len(sent) == 120
    assert rooms.answers(c.code, q.id) == sent
    assert rooms.state(c.code).joined == 120
    names = [r.nickname for r in rooms.export(c.code, c.teacher_token)]
    assert sorted(names) == sorted([f"a{i}" for i in range(60)] + [f"b{i}" for i in range(60)])
