"""What the room operations of :mod:`classroom.rooms` take and give: their errors and their records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["AnswerRow", "Asked", "Created", "Joined", "NotAllowed", "Phase", "RoomError", "RoomGone", "RoomState"]

Phase = Literal["lobby", "open", "revealed"]


class RoomError(ValueError):
    """A refused operation; the message is shown to the user as is."""


class RoomGone(RoomError):
    """No such room, or it ended or expired."""


class NotAllowed(RoomError):
    """A wrong or missing token for this action."""


@dataclass(frozen=True)
class Created:
    code: str
    teacher_token: str


@dataclass(frozen=True)
class Joined:
    code: str
    student_id: str
    token: str
    nickname: str


@dataclass(frozen=True)
class Asked:
    id: str
    n: int
    spec: dict[str, Any]
    asked: float
    revealed: float | None


@dataclass(frozen=True)
class RoomState:
    code: str
    phase: Phase
    show_spread: bool
    question: Asked | None
    joined: int
    answered: int
    """Answers to the current question."""
    version: int
    answers_version: int


@dataclass(frozen=True)
class AnswerRow:
    nickname: str
    student_id: str
    question_n: int
    question_id: str
    spec: dict[str, Any]
    value: Any
    answered: float
    """Unix seconds."""
