"""Step, play, pause and reset through frames 0..last without ever blocking the page.

A *player* keeps its frame in ``st.session_state[name]`` (also the key of its
scrub slider, and its URL parameter) and whether it plays in ``name + "_playing"``.
The buttons sit outside the animated part, so pressing Play or Pause reruns the
page once and re-declares the frames' ``st.fragment`` with or without
``run_every``. While playing, each timer tick reruns only that fragment, which
moves on by ``stride`` frames and draws the frame; at the last frame it stops
itself (one full rerun, which removes the timer). Nothing ever sleeps on the
server: between ticks the session is idle and every other control still works.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from ui.session import Key

INTERVAL = 0.25
"""Seconds between frames while playing (4 frames a second: slow enough to follow)."""


PLAYING = "_playing"
"""A player's "is it playing" key is its name plus this."""


def frame_key(name: str) -> Key[int]:
    """A player's frame: its scrub slider's key and its URL parameter."""
    return Key(name, 0)


def playing_key(name: str) -> Key[bool]:
    """Whether the player ``name`` is playing."""
    return Key(f"{name}{PLAYING}", False)


def any_playing() -> bool:
    """Whether any player of this session is playing (the URL waits until it stops)."""
    return any(k.endswith(PLAYING) and bool(st.session_state[k]) for k in list(st.session_state.keys()))


def playing(name: str) -> bool:
    return bool(playing_key(name).get())


def frame(name: str, last: int) -> int:
    """The current frame, within 0..last."""
    return min(max(int(frame_key(name).get()), 0), last)


def _set(name: str, k: int, play: bool) -> None:
    frame_key(name).set(k)
    playing_key(name).set(play)


def _step(name: str, stride: int, last: int) -> None:
    _set(name, min(frame(name, last) + stride, last), False)


def _pause(name: str) -> None:
    playing_key(name).set(False)


def _play(name: str, last: int) -> None:
    _set(name, 0 if frame(name, last) >= last else frame(name, last), True)


def reset(name: str) -> None:
    """Back to frame 0, paused (also usable as a callback)."""
    _set(name, 0, False)


def buttons(name: str, last: int, *, stride: int = 1, noun: str = "step") -> None:
    """Reset, Step and Play/Pause in one row. Callbacks read the frame when pressed (it moves while playing)."""
    k, on = frame(name, last), playing(name)
    row = st.container(horizontal=True, gap="small")
    row.button(
        "Reset",
        key=f"{name}_reset",
        icon=":material/replay:",
        on_click=reset,
        args=(name,),
        help=f"Back to {noun} 0.",
    )
    row.button(
        f"{noun.capitalize()} +{stride}",
        key=f"{name}_step",
        icon=":material/skip_next:",
        on_click=_step,
        args=(name, stride, last),
        disabled=k >= last,
        help=f"Take {stride} {noun}{'s' if stride > 1 else ''}.",
    )
    if on:
        row.button("Pause", key=f"{name}_pause", icon=":material/pause:", on_click=_pause, args=(name,))
    else:
        row.button(
            "Play",
            key=f"{name}_play",
            icon=":material/play_arrow:",
            on_click=_play,
            args=(name, last),
            help=f"Animate up to {noun} {last}; it stops by itself.",
        )


def frames(name: str, last: int, draw: Callable[[int], None], *, stride: int = 1, label: str = "Step") -> None:
    """A scrub slider and ``draw(k)``, in a fragment that advances itself while playing."""
    on = playing(name)

    @st.fragment(run_every=INTERVAL if on else None)
    def animated() -> None:
        k = frame(name, last)
        if playing(name):
            k = min(k + stride, last)
        frame_key(name).set(k)
        st.slider(label, min_value=0, max_value=max(last, 1), key=name, disabled=last == 0 or playing(name))
        draw(k)
        if playing(name) and k >= last:
            playing_key(name).set(False)
            st.rerun()  # a full rerun re-declares the fragment without its timer

    animated()
