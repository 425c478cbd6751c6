"""What the deep-dive pages (Softmax, Cross-entropy) share: their URL parameters and their frame.

A page has its own number parameters beside the shared scenario's; each widget's
key is the parameter's name. :class:`PageParams` reads them from the URL once per
session (a bad one is named in a warning and replaced by its default) and writes
them back; :func:`page` lays out the title, the warnings, the shared logit pad
and one tab per section.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import streamlit as st

from core.state import Scenario, format_number, read_number
from ui import controls
from ui import scenario as state
from ui.text import md_escape


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
        first = next(iter(self.spec)) not in st.session_state
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


def begin(title: str, caption: str, params: PageParams, toolbar: Callable[[Scenario], None] | None = None) -> Scenario:
    """Every page's top: read the example and the page's parameters, title, caption, toolbar, warnings."""
    sc = state.current(params.names)
    problems = params.init_from_url(state.query())
    st.title(title)
    st.caption(caption)
    if toolbar is not None:
        toolbar(sc)
    for message in [*state.notices(), *problems]:
        st.warning(md_escape(message), icon=":material/warning:")
    return sc


def page(
    title: str, caption: str, params: PageParams, sections: Sequence[tuple[str, Callable[[Scenario], None]]]
) -> None:
    sc = begin(title, caption, params)
    pad, body = st.columns([1, 3], gap="large")
    with pad:
        controls.logits(sc)
        st.caption(
            f"True class: {md_escape(sc.target_name)}. Temperature and unit ({sc.unit}) are set on the Playground."
        )
    with body:
        for tab, (_, show) in zip(st.tabs([name for name, _ in sections]), sections, strict=True):
            with tab:
                show(sc)
    state.sync_url(sc, params.url_values())
