"""The one page frame: every page opens with :func:`page` and its URL is written back by :func:`write_url`.

A page has its own parameters beside the shared scenario's; each widget's key is
the parameter's name. :class:`PageParams` reads them from the URL once per
session (a bad one is named in a warning and replaced by its default) and gives
their values back for the URL. :func:`page` reads the example and the page's
parameters, draws the title, the caption, the toolbar and the warnings, runs the
page's body, and then writes the URL, whatever the body drew: no page can forget.
:func:`tabbed` is the frame of the deep-dive pages (the logits and their readout in one
column, a tab per section beside it; on a phone the columns stack and the readout stays
on screen while the logits are, see ``ui/theme.py``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import streamlit as st

from core.panels import readout_panel
from core.query import format_number, read_number
from core.scenario import Scenario
from ui import animation, controls, live_panel, logit_pad, present, session
from ui.escape import md_escape
from ui.session import Key

VISITED: Key[frozenset[frozenset[str]]] = Key("frame_visited", frozenset())
"""The pages (by their parameters' names) whose URL values this session has read."""


@dataclass(frozen=True)
class PageParams:
    """``{name: ((low, high), default)}``, with an optional snapping function per name.

    What is not one number per parameter goes through ``read_extra``, run on the
    same first visit after the numbers are read (lists, tables, and checks that
    need several values together; it returns problems), and ``write_extra``,
    whose values join the URL; ``extra_names`` are the parameters they own.
    """

    spec: dict[str, tuple[tuple[float, float], float]]
    snap: dict[str, Callable[[float], float]] = field(default_factory=dict)
    extra_names: frozenset[str] = frozenset()
    read_extra: Callable[[dict[str, list[str]]], list[str]] | None = None
    write_extra: Callable[[], dict[str, str]] | None = None

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self.spec) | self.extra_names

    def init_from_url(self, query: dict[str, list[str]]) -> list[str]:
        """Put the URL's values into the widgets' state (first visit only); return problems."""
        visited = VISITED.get()
        first = self.names not in visited
        if first:
            VISITED.set(visited | {self.names})
        problems: list[str] = []
        for key, (bounds, default) in self.spec.items():
            if key in st.session_state:
                continue
            value, problem = read_number(query, key, bounds, default)
            snapped = self.snap.get(key, lambda v: v)(value)
            if not problem and float(snapped) != value:
                problem = [
                    f"'{key}' {format_number(value)} rounded to {format_number(float(snapped))}, a step of its control."
                ]
            problems += problem
            st.session_state[key] = snapped
        if first and self.read_extra:
            problems += self.read_extra(query)
        return problems

    def url_values(self) -> dict[str, str]:
        values = {k: format_number(float(st.session_state[k])) for k in self.spec}
        return {**values, **(self.write_extra() if self.write_extra else {})}


NO_PARAMS = PageParams({})
"""A page with no parameters of its own (the Playground)."""


def write_url(params: PageParams = NO_PARAMS) -> None:
    """The one place the URL is written: the example, the page's parameters and presentation mode.

    One rule: the URL holds exactly what reproduces the view, and it is left alone
    while a drag or an animation is in progress (it is written when they end).
    """
    if logit_pad.dragging() or animation.any_playing():
        return
    wanted = {**session.current().to_query(), **params.url_values(), **present.url_value()}
    if session.query() != {k: [v] for k, v in wanted.items()}:
        st.query_params.from_dict(wanted)


@contextmanager
def page(
    title: str,
    caption: str,
    params: PageParams = NO_PARAMS,
    *,
    toolbar: Callable[[Scenario], None] | None = controls.settings,
) -> Iterator[Scenario]:
    """Open a page: the example, the page's URL values, title, caption, toolbar, warnings; write the URL after.

    ``with page(...) as sc:`` the body draws with ``sc``; when it ends the URL is
    written back (:func:`write_url`), whatever it drew. The toolbar (true class,
    temperature, unit, classes) is on every page that shows the example, so each
    states the T and unit its numbers use.
    """
    session.current(params.names)  # a session's first run reads the example (and names unknown parameters)
    problems = params.init_from_url(session.query())  # a page's first visit may adjust it (an old link)
    sc = session.current()
    st.title(title)
    st.caption(caption)
    if toolbar is not None:
        toolbar(sc)
    for message in [*session.notices(), *problems]:
        st.warning(md_escape(message), icon=":material/warning:")
    try:
        yield sc
    except BaseException:  # even if the body failed, the address keeps what the widgets hold; its error shows
        with contextlib.suppress(Exception):
            write_url(params)
        raise
    write_url(params)


def readout(sc: Scenario) -> None:
    """The logits and, under them, the example's loss and probabilities, following a drag live
    (the tabs beside them update when the drag ends)."""
    controls.logits(sc, live_panel.context("readout", sc))
    live_panel.show(readout_panel(sc, {}, present.style()), "readout")


def tabbed(
    title: str, caption: str, params: PageParams, sections: Sequence[tuple[str, Callable[[Scenario], None]]]
) -> None:
    """A deep-dive page: the logits and their readout in one column, one tab per section beside them."""
    with page(title, caption, params) as sc:
        # on a projector (larger text) the logits' column is wider, so that a slider and its exact box share a line
        pad, body = st.columns([1.3, 3] if present.active() else [1, 3], gap="large")
        with pad:
            readout(sc)
        with body:
            for tab, (_, show) in zip(st.tabs([name for name, _ in sections]), sections, strict=True):
                with tab:
                    show(sc)
