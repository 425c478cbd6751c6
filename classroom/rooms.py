"""A class's room in the database: create, join, ask, answer, reveal, export, end.

Every write is one transaction that first locks the room's row (an ``UPDATE`` of ``touched``), so the
operations on one room run one after another on PostgreSQL too (SQLite's ``BEGIN IMMEDIATE`` already
serialises every writer), and the room's version counters move in the same transaction:

- ``version`` bumps on ask, reveal, a spread toggle (when it changes), and end (the room is gone, so
  :meth:`Rooms.versions` leaves it out): what students and the projector react to;
- ``answers_version`` bumps on every stored answer and every join: what the projector's count reacts to.

Tokens are ``secrets.token_urlsafe(24)``; only their SHA-256 hashes are stored, compared with
``hmac.compare_digest``. Nicknames are unique in a room ignoring case: a second "Ana" becomes "Ana (2)", and
an empty nickname becomes "Student N" (N = the order of joining). Nicknames are stored exactly as given
(after ``core.classroom.check_nickname``): they are data, never markup.

A room idle (no write) for :data:`IDLE_SECONDS` is deleted by :meth:`Rooms.expire` with all it holds; so is a
room its teacher ends. Errors are :class:`RoomError` (and subclasses) whose message is shown to the user as is;
a database that cannot be reached raises :class:`classroom.db.Unavailable` (also a message for the user).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any, cast

from classroom.db import Database, Row, Tx, open_database
from classroom.records import (  # the records, re-exported: callers import them from here
    AnswerRow,
    Asked,
    Created,
    Joined,
    NotAllowed,
    Phase,
    RoomError,
    RoomGone,
    RoomState,
)
from core.classroom import MAX_NICKNAME, check_code, check_nickname, new_code

IDLE_SECONDS = 4 * 3600.0
"""A room nobody wrote to for this long is deleted by :meth:`Rooms.expire`."""
MAX_STUDENTS = 500
"""Joins a room accepts (a student who resumes does not count again)."""
MAX_QUESTIONS = 1000
"""Questions one room can ask."""


__all__ = [
    "IDLE_SECONDS",
    "MAX_QUESTIONS",
    "MAX_STUDENTS",
    "AnswerRow",
    "Asked",
    "Created",
    "Joined",
    "NotAllowed",
    "Phase",
    "RoomError",
    "RoomGone",
    "RoomState",
    "Rooms",
    "rooms",
]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _same(token: object, stored_hash: str) -> bool:
    return isinstance(token, str) and bool(token) and hmac.compare_digest(_hash(token), stored_hash)


_QUESTION_ID = re.compile(r"[0-9a-f]{32}")


def _question_id(question_id: object) -> str:
    """A question id as this module makes them (32 hex digits), or :class:`RoomError`."""
    if isinstance(question_id, str) and _QUESTION_ID.fullmatch(question_id):
        return question_id
    raise RoomError("This question is not one of this class's: reload the page.")


def _gone(code: str) -> RoomGone:
    return RoomGone(f"No class has the code {code}: check it with your teacher (a class that has ended is gone).")


def _code(code: object) -> str:
    """The normalised code, or :class:`RoomGone` with core's message for a code that cannot be one."""
    try:
        return check_code(cast(str, code))
    except ValueError as e:
        raise RoomGone(str(e)) from None


_ASKED = "q.id, q.n, q.spec, q.asked, q.revealed"


def _asked(row: Sequence[Any]) -> Asked:
    qid, n, spec, asked, revealed = row
    return Asked(
        id=str(qid),
        n=int(n),
        spec=json.loads(spec),
        asked=float(asked),
        revealed=None if revealed is None else float(revealed),
    )


def _state(tx: Tx, code: str) -> RoomState:
    """The room ``code`` (normalised) read in one query, or :class:`RoomGone`."""
    row = tx.one(
        "SELECT r.phase, r.show_spread, r.students, r.version, r.answers_version, "
        f"{_ASKED}, (SELECT COUNT(*) FROM answers a WHERE a.question_id = r.question_id) "
        "FROM rooms r LEFT JOIN questions q ON q.id = r.question_id WHERE r.code = ?",
        (code,),
    )
    if row is None:
        raise _gone(code)
    phase, spread, joined, version, answers_version = row[:5]
    return RoomState(
        code=code,
        phase=cast(Phase, phase),
        show_spread=bool(spread),
        question=None if row[5] is None else _asked(row[5:10]),
        joined=int(joined),
        answered=int(row[10] or 0),
        version=int(version),
        answers_version=int(answers_version),
    )


class Rooms:
    """Class rooms stored in ``db``; ``clock`` gives unix seconds (a test passes its own)."""

    def __init__(self, db: Database, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock

    # helpers (inside a transaction) ---------------------------------------------------------------------------

    def _lock(self, tx: Tx, code: str, now: float) -> Row:
        """Touch the room and lock its row until the transaction ends; its row, or :class:`RoomGone`."""
        row = tx.one(
            "UPDATE rooms SET touched = ? WHERE code = ? "
            "RETURNING teacher_hash, phase, question_id, students, show_spread",
            (now, code),
        )
        if row is None:
            raise _gone(code)
        return row

    def _teacher(self, tx: Tx, code: str, token: object, action: str) -> Row:
        row = self._lock(tx, code, self.clock())
        if not _same(token, row[0]):
            raise NotAllowed(f"Only the teacher can {action}.")
        return row

    def _student(self, tx: Tx, code: str, token: object) -> tuple[str, str]:
        """``(student id, nickname)`` of the token's student in this room, or :class:`NotAllowed`."""
        row = None
        if isinstance(token, str) and token:
            row = tx.one(
                "SELECT id, nickname, token_hash FROM students WHERE token_hash = ? AND code = ?", (_hash(token), code)
            )
        if row is None or not _same(token, row[2]):
            raise NotAllowed(f"This device has not joined the class {code}: join it again with the code.")
        return str(row[0]), str(row[1])

    # the teacher ----------------------------------------------------------------------------------------------

    def create(self) -> Created:
        """A new room in the lobby, with a fresh code and the teacher's token (idle rooms are expired first)."""
        self.expire()
        token = secrets.token_urlsafe(24)
        hashed = _hash(token)
        for _ in range(100):
            code = new_code()

            def add(tx: Tx, code: str = code) -> int:
                now = self.clock()
                return tx.run(
                    "INSERT INTO rooms (code, teacher_hash, created, touched) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (code) DO NOTHING",
                    (code, hashed, now, now),
                )

            if self.db.run(add) == 1:
                return Created(code=code, teacher_token=token)
        raise RoomError("No free class code was found: try again.")  # 31⁶ codes: only if nearly all are taken

    def check_teacher(self, code: str, token: str) -> None:
        """Nothing if ``token`` is this room's teacher token; :class:`RoomGone` or :class:`NotAllowed`."""
        code = _code(code)
        row = self.db.run(lambda tx: tx.one("SELECT teacher_hash FROM rooms WHERE code = ?", (code,)), write=False)
        if row is None:
            raise _gone(code)
        if not _same(token, row[0]):
            raise NotAllowed("Only the teacher can do that: this is not the teacher's device.")

    def ask(self, code: str, teacher_token: str, spec: dict[str, Any]) -> Asked:
        """Open a new question (``spec``, a JSON object core can build); an open question is revealed first."""
        code = _code(code)
        if not isinstance(spec, dict):
            raise RoomError("A question is described by a JSON object.")
        try:
            spec_text = json.dumps(spec, allow_nan=False, sort_keys=True)
        except (TypeError, ValueError):
            raise RoomError("This question cannot be stored: its description is not plain JSON.") from None

        def op(tx: Tx) -> Asked:
            _, phase, current, _, _ = self._teacher(tx, code, teacher_token, "ask a question")
            now = self.clock()
            if phase == "open" and current is not None:
                tx.run("UPDATE questions SET revealed = ? WHERE id = ? AND revealed IS NULL", (now, current))
            row = tx.one("SELECT COUNT(*) FROM questions WHERE code = ?", (code,))
            n = (int(row[0]) if row else 0) + 1
            if n > MAX_QUESTIONS:
                raise RoomError(f"A class can ask at most {MAX_QUESTIONS} questions: start a new class.")
            qid = uuid.uuid4().hex
            tx.run(
                "INSERT INTO questions (id, code, n, spec, asked) VALUES (?, ?, ?, ?, ?)",
                (qid, code, n, spec_text, now),
            )
            tx.run(
                # each question starts with its spread hidden: the room commits before it sees the others' answers
                "UPDATE rooms SET phase = 'open', question_id = ?, show_spread = 0, version = version + 1 "
                "WHERE code = ?",
                (qid, code),
            )
            return Asked(id=qid, n=n, spec=json.loads(spec_text), asked=now, revealed=None)

        return self.db.run(op)

    def show_spread(self, code: str, teacher_token: str, show: bool) -> None:
        """Show or hide the spread of answers on the projector (``version`` bumps when it changes)."""
        code = _code(code)

        def op(tx: Tx) -> None:
            row = self._teacher(tx, code, teacher_token, "show or hide the answers")
            if bool(row[4]) != bool(show):
                tx.run(
                    "UPDATE rooms SET show_spread = ?, version = version + 1 WHERE code = ?", (1 if show else 0, code)
                )

        self.db.run(op)

    def reveal(self, code: str, teacher_token: str) -> Asked:
        """Close the open question and reveal its answer; :class:`RoomError` when no question is open."""
        code = _code(code)

        def op(tx: Tx) -> Asked:
            _, phase, current, _, _ = self._teacher(tx, code, teacher_token, "reveal the answer")
            if phase != "open" or current is None:
                raise RoomError("No question is open: ask one first.")
            now = self.clock()
            tx.run("UPDATE questions SET revealed = ? WHERE id = ?", (now, current))
            tx.run("UPDATE rooms SET phase = 'revealed', version = version + 1 WHERE code = ?", (code,))
            row = tx.one(f"SELECT {_ASKED} FROM questions q WHERE q.id = ?", (current,))
            if row is None:  # never: a room's question_id names one of its questions
                raise RoomError("The open question was not found: ask it again.")
            return _asked(row)

        return self.db.run(op)

    def export(self, code: str, teacher_token: str) -> list[AnswerRow]:
        """Every answer of the room: by question, then in the order they were given."""
        code = _code(code)

        def op(tx: Tx) -> list[AnswerRow]:
            row = tx.one("SELECT teacher_hash FROM rooms WHERE code = ?", (code,))
            if row is None:
                raise _gone(code)
            if not _same(teacher_token, row[0]):
                raise NotAllowed("Only the teacher can download the answers.")
            rows = tx.all(
                "SELECT s.nickname, s.id, q.n, q.id, q.spec, a.value, a.answered FROM answers a "
                "JOIN questions q ON q.id = a.question_id JOIN students s ON s.id = a.student_id "
                "WHERE q.code = ? ORDER BY q.n, a.answered, s.n",
                (code,),
            )
            return [
                AnswerRow(
                    nickname=str(nick),
                    student_id=str(sid),
                    question_n=int(n),
                    question_id=str(qid),
                    spec=json.loads(spec),
                    value=json.loads(value),
                    answered=float(answered),
                )
                for nick, sid, n, qid, spec, value, answered in rows
            ]

        return self.db.run(op, write=False)

    def end(self, code: str, teacher_token: str) -> None:
        """Delete the room and everything in it (questions, students, answers)."""
        code = _code(code)

        def op(tx: Tx) -> None:
            self._teacher(tx, code, teacher_token, "end the class")
            tx.run("DELETE FROM rooms WHERE code = ?", (code,))

        self.db.run(op)

    def expire(self, idle_seconds: float = IDLE_SECONDS) -> int:
        """Delete the rooms nobody wrote to for ``idle_seconds``; how many. Cheap when there are none
        (one indexed read, no write lock), so it can be called often."""
        cutoff = self.clock() - idle_seconds
        if self.db.run(lambda tx: tx.one("SELECT 1 FROM rooms WHERE touched < ? LIMIT 1", (cutoff,)), write=False):
            return self.db.run(lambda tx: tx.run("DELETE FROM rooms WHERE touched < ?", (cutoff,)))
        return 0

    # students -------------------------------------------------------------------------------------------------

    def join(self, code: str, nickname: str) -> Joined:
        """A new student in the room: :class:`RoomGone` for an unknown code, :class:`RoomError` for a bad
        nickname or a full room (:data:`MAX_STUDENTS`). ``""`` gives "Student N"; a nickname already taken
        (ignoring case) gets " (2)", " (3)", … (shortened to stay within 24 characters)."""
        code = _code(code)
        try:
            wanted = check_nickname(nickname)
        except ValueError as e:
            raise RoomError(str(e)) from None
        token = secrets.token_urlsafe(24)
        sid = uuid.uuid4().hex

        def op(tx: Tx) -> Joined:
            now = self.clock()
            row = tx.one(
                "UPDATE rooms SET touched = ?, students = students + 1, answers_version = answers_version + 1 "
                "WHERE code = ? AND students < ? RETURNING students",
                (now, code, MAX_STUDENTS),
            )
            if row is None:
                if tx.one("SELECT 1 FROM rooms WHERE code = ?", (code,)) is None:
                    raise _gone(code)
                raise RoomError(f"This class is full ({MAX_STUDENTS} students).")
            n = int(row[0])
            base = wanted or f"Student {n}"
            name = base
            for k in range(2, MAX_STUDENTS + 3):
                if tx.one("SELECT 1 FROM students WHERE code = ? AND nick_key = ?", (code, name.casefold())) is None:
                    break
                suffix = f" ({k})"
                name = base[: MAX_NICKNAME - len(suffix)].rstrip() + suffix
            tx.run(
                "INSERT INTO students (id, code, n, token_hash, nickname, nick_key, joined) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (sid, code, n, _hash(token), name, name.casefold(), now),
            )
            return Joined(code=code, student_id=sid, token=token, nickname=name)

        return self.db.run(op)

    def resume(self, code: str, token: str) -> Joined:
        """The student whose device holds ``token`` (a reconnect): :class:`RoomGone` or :class:`NotAllowed`."""
        code = _code(code)

        def op(tx: Tx) -> Joined:
            if tx.one("SELECT 1 FROM rooms WHERE code = ?", (code,)) is None:
                raise _gone(code)
            sid, nick = self._student(tx, code, token)
            return Joined(code=code, student_id=sid, token=token, nickname=nick)

        return self.db.run(op, write=False)

    def answer(self, code: str, student_token: str, question_id: str, value: Any) -> None:
        """Store the student's answer to the open question (``value`` already read by
        ``core.classroom.read_answer``); a second answer replaces the first until the reveal."""
        code = _code(code)
        try:
            value_text = json.dumps(value, allow_nan=False)
        except (TypeError, ValueError):
            raise RoomError("This answer cannot be stored: send a number or a choice.") from None

        def op(tx: Tx) -> None:
            now = self.clock()
            room = tx.one(
                "UPDATE rooms SET touched = ?, answers_version = answers_version + 1 WHERE code = ? "
                "RETURNING question_id",
                (now, code),
            )
            if room is None:
                raise _gone(code)
            sid, _ = self._student(tx, code, student_token)
            qid = _question_id(question_id)
            q = tx.one("SELECT revealed FROM questions WHERE id = ? AND code = ?", (qid, code))
            if q is None:
                raise RoomError("This question is not one of this class's: reload the page.")
            if q[0] is not None:
                raise RoomError("Answers to this question are closed: the answer was revealed.")
            if room[0] != qid:  # never happens: asking reveals the open question first
                raise RoomError("This question is no longer open.")
            tx.run(
                "INSERT INTO answers (question_id, student_id, value, answered) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (question_id, student_id) DO UPDATE SET value = excluded.value, "
                "answered = excluded.answered",
                (qid, sid, value_text, now),
            )

        self.db.run(op)

    # reading --------------------------------------------------------------------------------------------------

    def state(self, code: str) -> RoomState:
        """The room as the pushes need it, read in one query (one consistent snapshot)."""
        code = _code(code)
        return self.db.run(lambda tx: _state(tx, code), write=False)

    def snapshot(self, code: str) -> tuple[RoomState, dict[str, Any]]:
        """The room and ``{student_id: value}`` of the answers to its current question (``{}`` without one),
        read in one transaction that sees one moment on both dialects (SQLite's read transaction; PostgreSQL's
        ``REPEATABLE READ``): the count the state gives and the answers always agree. :class:`RoomGone`."""
        code = _code(code)

        def op(tx: Tx) -> tuple[RoomState, dict[str, Any]]:
            if tx.dialect == "postgresql":  # READ COMMITTED (the default) lets each statement see a later moment
                tx.run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            state = _state(tx, code)
            if state.question is None:
                return state, {}
            rows = tx.all("SELECT student_id, value FROM answers WHERE question_id = ?", (state.question.id,))
            return state, {str(sid): json.loads(value) for sid, value in rows}

        return self.db.run(op, write=False)

    def versions(self, codes: Sequence[str]) -> dict[str, tuple[int, int]]:
        """``{code: (version, answers_version)}`` for the rooms that still exist, in one query (per 500 codes)."""
        wanted = sorted(set(codes))
        found: dict[str, tuple[int, int]] = {}
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]

            def read(tx: Tx, chunk: list[str] = chunk) -> list[Row]:
                marks = ", ".join("?" * len(chunk))
                return tx.all(f"SELECT code, version, answers_version FROM rooms WHERE code IN ({marks})", chunk)

            rows = self.db.run(read, write=False)
            found.update({str(c): (int(v), int(a)) for c, v, a in rows})
        return found

    def answers(self, code: str, question_id: str) -> dict[str, Any]:
        """``{student_id: value}`` for one question of the room (:class:`RoomGone` if the room is gone)."""
        code = _code(code)

        def op(tx: Tx) -> dict[str, Any]:
            if tx.one("SELECT 1 FROM rooms WHERE code = ?", (code,)) is None:
                raise _gone(code)
            qid = _question_id(question_id)
            rows = tx.all(
                "SELECT a.student_id, a.value FROM answers a JOIN questions q ON q.id = a.question_id "
                "WHERE q.code = ? AND a.question_id = ?",
                (code, qid),
            )
            return {str(sid): json.loads(value) for sid, value in rows}

        return self.db.run(op, write=False)

    def questions(self, code: str) -> list[Asked]:
        """The room's questions in the order they were asked."""
        code = _code(code)

        def op(tx: Tx) -> list[Asked]:
            if tx.one("SELECT 1 FROM rooms WHERE code = ?", (code,)) is None:
                raise _gone(code)
            return [
                _asked(r) for r in tx.all(f"SELECT {_ASKED} FROM questions q WHERE q.code = ? ORDER BY q.n", (code,))
            ]

        return self.db.run(op, write=False)


_rooms: Rooms | None = None
_rooms_lock = threading.Lock()


def rooms() -> Rooms:
    """The process's :class:`Rooms` on the process's database (``EXPLORER_DATABASE_URL``), made once."""
    global _rooms
    with _rooms_lock:
        if _rooms is None:
            _rooms = Rooms(open_database())
        return _rooms
