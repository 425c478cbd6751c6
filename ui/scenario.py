"""The session's Scenario: read once from the URL, kept in session state, written back.

Data flows one way: widgets change the Scenario through callbacks (which run
before the script), the script reads :func:`current`, and :func:`sync_url` puts
the Scenario back into the address bar, so the URL always reproduces the view.
"""

from __future__ import annotations

from typing import cast

import streamlit as st

from core.state import PARAMS, Scenario, unknown_params
from ui import present

KEY = "scenario"
NOTICES = "pg_notices"


def query() -> dict[str, list[str]]:
    """The URL's query parameters, every value of each."""
    return {k: st.query_params.get_all(k) for k in st.query_params}


def current(page_params: frozenset[str] = frozenset()) -> Scenario:
    """This session's Scenario; the first call of a session reads it from the URL.

    ``page_params`` are the page's own query parameters, which are not unknown.
    """
    if KEY not in st.session_state:
        params = query()
        scenario, problems = Scenario.from_query(params)
        st.session_state[KEY] = scenario
        known = PARAMS | page_params | {present.PARAM}
        st.session_state[NOTICES] = [*st.session_state.get(NOTICES, []), *problems, *unknown_params(params, known)]
    return cast(Scenario, st.session_state[KEY])


def update(scenario: Scenario) -> None:
    """Make ``scenario`` current; earlier notices are answered by the user's change."""
    st.session_state[KEY] = scenario
    st.session_state[NOTICES] = []


def notify(message: str) -> None:
    """Keep a message for the user until their next successful change."""
    st.session_state.setdefault(NOTICES, []).append(message)


def notices() -> list[str]:
    return list(st.session_state.get(NOTICES, []))


def sync_url(scenario: Scenario, extra: dict[str, str] | None = None) -> None:
    """Write ``scenario`` (and a page's own ``extra`` parameters) into the URL, if it differs."""
    sync_page_url({**scenario.to_query(), **(extra or {})})


def sync_page_url(wanted: dict[str, str]) -> None:
    """Make the URL's query exactly ``wanted`` (and presentation mode), if it differs."""
    wanted = {**wanted, **present.url_value()}
    if query() != {k: [v] for k, v in wanted.items()}:
        st.query_params.from_dict(wanted)
