"""The session store: the shared Scenario and every session key, declared once.

Data flows one way: widgets change the Scenario through callbacks (which run
before the script), the script reads :func:`current`, and the page frame
(:func:`ui.frame.write_url`) puts it back into the address bar, so the URL always
reproduces the view.

A session key is a :class:`Key`: its name and default live in one declaration,
and code reads and writes it through ``get`` and ``set``, never by retyping the
string. A widget whose key is a URL parameter has the parameter's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar, cast

import streamlit as st

from core.query import unknown_params
from core.scenario import PARAMS, Scenario
from ui.present import PARAM as PRESENT_PARAM

T = TypeVar("T")


@dataclass(frozen=True)
class Key(Generic[T]):
    """One entry of ``st.session_state``: its name and the value it has until set."""

    name: str
    default: T

    def get(self) -> T:
        return cast(T, st.session_state.get(self.name, self.default))

    def set(self, value: T) -> None:
        st.session_state[self.name] = value

    def is_set(self) -> bool:
        return self.name in st.session_state

    def setdefault(self, value: T | None = None) -> T:
        """Set the key to ``value`` (or its default) unless it is set; return its value."""
        return cast(T, st.session_state.setdefault(self.name, self.default if value is None else value))


SCENARIO: Key[Scenario | None] = Key("scenario", None)
NOTICES: Key[tuple[str, ...]] = Key("pg_notices", ())
"""Messages kept for the user until their next successful change."""


def query() -> dict[str, list[str]]:
    """The URL's query parameters, every value of each."""
    return {k: st.query_params.get_all(k) for k in st.query_params}


def current(page_params: frozenset[str] = frozenset()) -> Scenario:
    """This session's Scenario; the first call of a session reads it from the URL.

    ``page_params`` are the page's own query parameters, which are not unknown.
    """
    sc = SCENARIO.get()
    if sc is None:
        params = query()
        sc, problems = Scenario.from_query(params)
        SCENARIO.set(sc)
        known = PARAMS | page_params | {PRESENT_PARAM}
        NOTICES.set((*NOTICES.get(), *problems, *unknown_params(params, known)))
    return sc


def update(scenario: Scenario) -> None:
    """Make ``scenario`` current; earlier notices are answered by the user's change."""
    SCENARIO.set(scenario)
    NOTICES.set(())


def notify(message: str) -> None:
    """Keep a message for the user until their next successful change."""
    NOTICES.set((*NOTICES.get(), message))


def notices() -> list[str]:
    return list(NOTICES.get())
