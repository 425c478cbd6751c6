"""Class mode under load: 200 students, a teacher's projector, two replicas behind nginx, one killed mid-round.

Through ``deploy/serve.sh --replicas 2``, once on SQLite (a fresh file shared by the replicas, as the
default is) and once on PostgreSQL (a temporary cluster, ``harness.postgres``). The room is created in
the database as the page's "Start a class" does; then:

The devices are ``harness.class_clients``' (shared with tests/e2e/test_class_replicas.py).

- **Students** (``N``): each is what a phone's browser is to the server. A real Streamlit websocket
  loads ``/class?join=CODE`` (the page-load rerun, recorded once from Chromium as ``bench/classroom.py``
  does) and stays open; one ``/api/class`` socket joins with a nickname (Origin: the proxy's address).
  Both carry the student's own nginx route cookie, so they reach the same replica as a browser's would.
  The class socket reconnects as ``ui/class_student.js`` does (1 s, doubling to 15 s) and ``resume``\\ s
  with its token (a resume refused as "gone" joins again; any other refusal is tried again after the
  backoff); the Streamlit socket reconnects and reruns the page, as Streamlit's frontend does.
- **The projector**: a teacher socket (``teach``) that asks, reveals, and counts the room's pushes.

Measured: the time for all ``N`` to join; ``IDLE`` seconds with nothing happening (Streamlit messages and
class pushes the idle devices receive, the replicas' CPU); three rounds (ask, each student answers after
a think time, some change their answer, reveal): Ask → question on each device, answer → "received",
the time from Ask to the last answer, the projector's count reaching ``N`` after the last answer, and the
rows ``Rooms.export`` holds against the answers the students were told were received. In round 2 one
replica gets SIGKILL mid-round (``deploy/serve.sh`` starts it again; nginx sends its students to the
other meanwhile): its students' reconnect times, and nothing they answered lost. Round 3 is the next
question after that. As a reference, the same students then answer once more the old way, by a
Streamlit rerun of the page each. Client and servers share this machine's cores; no assertion is
timed, the numbers are printed.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from streamlit.proto.BackMsg_pb2 import BackMsg

from bench.common import cpu_seconds, pct, recording, rss_mb, table
from harness.class_clients import TIMEOUT, Student, Teacher, answer_for, now, until
from harness.server import replica_pid, serve_replicated

N = 200
REPLICAS = 2
IDLE = 10.0
"""Seconds the joined room sits idle while Streamlit messages, pushes and the replicas' CPU are counted."""
THINK = (0.5, 6.0)
"""Seconds a student takes to answer once the question is on screen (uniform)."""
CHANGE = 0.2
"""Share of students who change their answer once (1-3 s later), before the reveal."""
KILL_AFTER = 3.0
"""Seconds after round 2's Ask when one replica gets SIGKILL (about half the room has answered)."""
EXAMPLE = {"classes": "cat,dog,rabbit", "logits": "2,1,0.1", "target": "dog"}
KINDS = ("p_true", "lowest_loss", "step")
"""Round 1, 2, 3: a number, a choice, one up/down per class (every kind of input a phone shows)."""


# ---- the page load a browser sends --------------------------------------------------------------------
def record_page_load(url: str, code: str) -> bytes:
    """The first rerun BackMsg Chromium sends on ``/class?join=CODE`` (the page-load rerun)."""
    with recording(f"{url}/class?join={code}") as (page, frames):
        page.wait_for_timeout(300)  # a trailing message (if any) goes out before closing
    for frame in frames:
        msg = BackMsg()
        msg.ParseFromString(frame)
        if msg.WhichOneof("type") == "rerun_script":
            return frame
    raise RuntimeError("the browser sent no rerun on /class")


def page_load(recorded: bytes, code: str) -> bytes:
    """The recorded page-load rerun with this run's join code in its query string."""
    msg = BackMsg()
    msg.ParseFromString(recorded)
    msg.rerun_script.query_string = f"join={code}"
    return bytes(msg.SerializeToString())


# ---- what a student does (the device itself: harness.class_clients.Student) ---------------------------
async def play(s: Student, qid: str, rng: random.Random, t_view: float) -> None:
    """Answer question ``qid`` after a think time; a few change their mind once."""
    await asyncio.sleep(max(0.0, rng.uniform(*THINK) - (now() - t_view)))
    while qid not in s.views:
        await asyncio.sleep(0.05)
    await s.answer(qid, answer_for(s.views[qid], rng))
    if rng.random() < CHANGE:
        await asyncio.sleep(rng.uniform(1.0, 3.0))
        await s.answer(qid, answer_for(s.views[qid], rng))


async def answer_by_rerun(s: Student, rng: random.Random) -> float:
    """The reference: the same answer as a Streamlit rerun of the page (what a form's submit costs); ms."""
    await asyncio.sleep(rng.uniform(*THINK))
    return await s.rerun_page()


# ---- a run -------------------------------------------------------------------------------------------
@dataclass
class Round:
    kind: str
    ask_ms: list[float]
    received_ms: list[float]
    all_answered_s: float
    count_after_ms: float
    sent: int
    stored: int
    lost: int
    twice: int


@dataclass
class Run:
    join_s: float = 0.0
    page_ms: list[float] = field(default_factory=list)
    page_errors: int = 0
    idle_stream: int = 0
    idle_reruns: int = 0
    idle_pushes: int = 0
    idle_cpu: float = 0.0
    rounds: list[Round] = field(default_factory=list)
    killed_students: int = 0
    reconnect_ms: list[float] = field(default_factory=list)
    resume_ms: list[float] = field(default_factory=list)
    reload_ms: list[float] = field(default_factory=list)
    rerun_ms: list[float] = field(default_factory=list)
    cpu_killed: float = 0.0
    not_back: int = 0
    rss_mb: float = 0.0
    cpu_s: float = 0.0
    errors: list[str] = field(default_factory=list)


def _replica_pids(ports: list[int]) -> list[int]:
    return [pid for pid in (replica_pid(p) for p in ports) if pid is not None]


def _cpu(ports: list[int]) -> float:
    return sum(cpu_seconds(pid) for pid in _replica_pids(ports))


async def _round(
    students: list[Student], teacher: Teacher, kind: str, rng: random.Random, kill: Any = None
) -> tuple[Round, str]:
    from core import classroom as cc
    from core.scenario import Scenario

    sc, _problems = Scenario.from_query(EXAMPLE)
    t_ask, reply = await teacher.act({"op": "ask", "spec": cc.spec_about(sc, kind)})
    qid = reply["question"]
    plays = [asyncio.create_task(play(s, qid, random.Random(rng.random()), t_ask)) for s in students]
    killer = asyncio.create_task(kill()) if kill is not None else None
    await until(lambda: all(qid in s.seen for s in students), "every device to show the question")
    ask_ms = [(s.seen[qid] - t_ask) * 1000 for s in students]
    await asyncio.wait_for(asyncio.gather(*plays), TIMEOUT * 2)
    if killer is not None:
        await killer
    t_last = max(s.first_received[qid] for s in students)  # the room's last answer (changes aside)
    await until(lambda: teacher.count_reached(qid, len(students)) is not None, "the projector's count")
    t_count = teacher.count_reached(qid, len(students))
    assert t_count is not None
    received = [ms for s in students for ms in s.received_ms]
    for s in students:
        s.received_ms.clear()
    await teacher.act({"op": "reveal"})
    return (
        Round(kind, ask_ms, received, t_last - t_ask, (t_count - t_last) * 1000, len(students), 0, 0, 0),
        qid,
    )


def _check(rnd: Round, qid: str, students: list[Student], rows: list[Any]) -> None:
    """Compare the stored rows of question ``qid`` with what each student was told was received."""
    mine = [r for r in rows if r.question_id == qid]
    stored = {r.nickname: r.value for r in mine}
    rnd.stored = len(mine)
    rnd.twice = len(mine) - len(stored)
    rnd.lost = sum(1 for s in students if stored.get(s.nick, object()) != s.received.get(qid))


async def _session(url: str, ports: list[int], load: bytes, code: str, token: str, database: str, n: int) -> Run:
    from classroom.db import open_database
    from classroom.rooms import Rooms

    run = Run()
    rng = random.Random(14)
    teacher = Teacher(url, code, token)
    tasks = [asyncio.create_task(teacher.connect())]
    await asyncio.wait_for(teacher.ready.wait(), TIMEOUT)
    students = [Student(i, url, code, load) for i in range(n)]
    cpu0 = _cpu(ports)
    t0 = now()
    for s in students:  # the whole class at once: the hardest arrival
        tasks += [asyncio.create_task(s.stream()), asyncio.create_task(s.connect())]
    await until(lambda: all(s.joined_at and s.page_done for s in students), "every student to join", 120)
    run.join_s = max(max(s.joined_at, s.page_done) for s in students) - t0
    run.page_ms = [s.page_ms[0] for s in students]
    run.page_errors = sum(s.page_errors for s in students)
    await until(lambda: teacher.joined() == n, "the projector's N")

    # Idle: nothing happens; what do the devices get, what do the replicas spend?
    await asyncio.sleep(1.0)
    t_idle, c_idle = now(), _cpu(ports)
    await asyncio.sleep(IDLE)
    run.idle_cpu = (_cpu(ports) - c_idle) / IDLE * 100
    run.idle_stream = sum(1 for s in students for t, _ in s.stream_messages if t >= t_idle)
    run.idle_reruns = sum(1 for s in students for t, k in s.stream_messages if t >= t_idle and k == "script_finished")
    run.idle_pushes = sum(1 for s in students for t, _ in s.class_messages if t >= t_idle)

    # Round 1; round 2 with a replica killed mid-round; round 3, the next question.
    victim = f"127.0.0.1:{ports[0]}"

    async def kill() -> None:
        await asyncio.sleep(KILL_AFTER)
        on_it = [s for s in students if s.replica == victim]
        run.killed_students = len(on_it)
        pid = replica_pid(ports[0])
        assert pid is not None
        run.cpu_killed = cpu_seconds(pid)  # (lost with the process: added to the run's total)
        os.kill(pid, signal.SIGKILL)
        await until(lambda: all(s.dropped_at or s.reconnect_ms for s in on_it), "the killed replica's sockets")
        await until(lambda: all(s.reconnect_ms for s in on_it), "its students to resume", 90)
        run.reconnect_ms = [s.reconnect_ms[0] for s in on_it]
        run.resume_ms = [s.resume_ms[0] for s in on_it]
        await until(lambda: all(len(s.page_ms) > 1 for s in on_it), "their pages to load again", 90)
        run.reload_ms = [s.page_ms[1] for s in on_it]

    qids = []
    for n, kind in enumerate(KINDS):
        rnd, qid = await _round(students, teacher, kind, rng, kill if n == 1 else None)
        run.rounds.append(rnd)
        qids.append(qid)
    await until(lambda: replica_pid(ports[0]) is not None, "the killed replica to be started again", 90)
    run.rerun_ms = list(await asyncio.gather(*(answer_by_rerun(s, random.Random(rng.random())) for s in students)))
    run.cpu_s = _cpu(ports) + run.cpu_killed - cpu0
    run.rss_mb = sum(rss_mb(pid) for pid in _replica_pids(ports))

    rows = await asyncio.to_thread(Rooms(open_database(database)).export, code, token)
    for rnd, qid in zip(run.rounds, qids, strict=True):
        _check(rnd, qid, students, rows)
    run.not_back = sum(1 for s in students if s.ws is None)
    run.errors = [e for s in students for e in s.errors]
    await teacher.act({"op": "end"})
    await asyncio.gather(teacher.stop(), *(s.stop() for s in students))
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return run


@contextmanager
def _database(kind: str) -> Iterator[str]:
    if kind == "SQLite":
        with tempfile.TemporaryDirectory(prefix="explorer-bench-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'classroom.sqlite3'}"
    else:
        from harness.postgres import temporary_cluster

        with temporary_cluster() as url:
            yield url


def measure(kind: str, recorded: list[bytes], n: int = N) -> Run:
    """One run on database ``kind``; ``recorded`` holds the page-load message (recorded on the first run)."""
    from classroom.db import open_database
    from classroom.rooms import Rooms

    with _database(kind) as database:
        created = Rooms(open_database(database)).create()
        with serve_replicated(REPLICAS, env={"EXPLORER_DATABASE_URL": database}) as (url, _proc, ports):
            if not recorded:
                recorded.append(record_page_load(url, created.code))
            load = page_load(recorded[0], created.code)
            return asyncio.run(_session(url, ports, load, created.code, created.teacher_token, database, n))


def _rows(runs: dict[str, Run]) -> list[list[str]]:
    lines: list[tuple[str, str, Any]] = [
        (f"all {N} joined (page load + class socket), s", "≤ 10", lambda r: f"{r.join_s:.1f}"),
        ("page-load rerun p50 / p95, ms (what each device costs Streamlit)", "-", lambda r: _ms(r.page_ms)),
        (
            f"idle {IDLE:g} s: Streamlit messages / reruns / class pushes to the devices",
            "0 / 0 / 0",
            lambda r: f"{r.idle_stream} / {r.idle_reruns} / {r.idle_pushes}",
        ),
        (f"idle {IDLE:g} s: replicas' CPU, % of one core", "-", lambda r: f"{r.idle_cpu:.1f}"),
    ]
    for n, kind in enumerate(KINDS):
        label = f"round {n + 1} ({kind}{', replica killed' if n == 1 else ''})"

        def rnd(r: Run, n: int = n) -> Round:
            return r.rounds[n]

        lines += [
            (
                f"{label}: Ask → question on every device p50 / p95 (max), ms",
                "p95 ≤ 1000",
                lambda r, rnd=rnd: f"{_ms(rnd(r).ask_ms)} ({max(rnd(r).ask_ms):.0f})",
            ),
            (f"{label}: answer → received p50 / p95, ms", "p95 ≤ 300", lambda r, rnd=rnd: _ms(rnd(r).received_ms)),
            (f"{label}: Ask → last answer in, s", "≤ 20", lambda r, rnd=rnd: f"{rnd(r).all_answered_s:.1f}"),
            (
                f"{label}: projector shows {N} after the last answer, ms",
                "≤ 1000",
                lambda r, rnd=rnd: f"{rnd(r).count_after_ms:.0f}",
            ),
            (
                f"{label}: answers stored / lost / twice",
                f"{N} / 0 / 0",
                lambda r, rnd=rnd: f"{rnd(r).stored} / {rnd(r).lost} / {rnd(r).twice}",
            ),
        ]
    lines += [
        (
            "SIGKILL: students on the killed replica / not back at the end",
            "- / 0",
            lambda r: f"{r.killed_students} / {r.not_back}",
        ),
        (
            "SIGKILL: reconnect (drop → resumed) p50 / p95 / max, ms",
            "-",
            lambda r: f"{_ms(r.reconnect_ms)} / {max(r.reconnect_ms, default=0):.0f}",
        ),
        ("SIGKILL: of which the resume itself (dial → state) p50 / p95, ms", "-", lambda r: _ms(r.resume_ms)),
        ("SIGKILL: their Streamlit pages loaded again p50 / p95, ms", "-", lambda r: _ms(r.reload_ms)),
        (
            "reference: the same answers as a Streamlit rerun each (page rerun) p50 / p95, ms",
            "-",
            lambda r: _ms(r.rerun_ms),
        ),
        ("replicas' CPU over the run, s / their RSS at the end, MB", "-", lambda r: f"{r.cpu_s:.1f} / {r.rss_mb:.0f}"),
        ("errors sent to the students", "0", lambda r: str(len(r.errors)) + _kinds(r.errors)),
        ("page loads that raised", "0", lambda r: str(r.page_errors)),
    ]
    return [[what, target, *(cell(r) for r in runs.values())] for what, target, cell in lines]


def _ms(values: list[float]) -> str:
    return f"{pct(values, 50):.0f} / {pct(values, 95):.0f}" if values else "-"


def run() -> str:
    recorded: list[bytes] = []
    runs = {kind: measure(kind, recorded) for kind in ("SQLite", "PostgreSQL")}
    return table(
        f"Class mode: {N} students and a projector through deploy/serve.sh --replicas {REPLICAS}",
        ["measure", "target", *runs],
        _rows(runs),
        f"Each student: a Streamlit websocket that loaded /class?join=CODE (the page-load rerun recorded from "
        f"Chromium) and an /api/class socket, with its own nginx route cookie; all {N} arrive at once. Think "
        f"time {THINK[0]:g}-{THINK[1]:g} s, {CHANGE:.0%} change their answer once. Round 2: SIGKILL of the "
        f"first replica {KILL_AFTER:g} s after Ask; its students reconnect as the page does (1 s, doubling) "
        "and resume with their token; serve.sh starts the replica again. Stored = rows of Rooms.export; "
        "lost = a student's last confirmed answer missing or different; twice = extra rows. Ask → last answer "
        "is mostly the think time. Reference: each student sends one more page rerun instead of a socket "
        "answer, with the same think times. SQLite: a fresh file, with the default's settings. Times are taken "
        "by the clients, which share the machine's cores with the replicas, nginx and the database.",
    )


def _kinds(errors: list[str]) -> str:
    kinds: dict[str, int] = {}
    for e in errors:
        kinds[e[:60]] = kinds.get(e[:60], 0) + 1
    return "".join(f"; {k!r} ×{v}" for k, v in kinds.items())


if __name__ == "__main__":
    print(run())
