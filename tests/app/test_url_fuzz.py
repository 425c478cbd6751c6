"""Random and hostile query strings on every page: never an exception, every ignored parameter named.

A parameter counts as applied when the page writes it back to the URL with the
same meaning (numbers compared as numbers, names ignoring case and Unicode
normalisation); otherwise a warning must name it. The page must then still run.
"""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from core.scenario import PARAMS
from tests.app.support import APP, plain, url
from ui import cross_entropy_tabs as ce_views
from ui import learning_tabs as learning
from ui import next_token_view as next_token
from ui import simplex_view as simplex
from ui import softmax_tabs as softmax_views

PAGES = {
    "app_pages/playground.py": frozenset(),
    "app_pages/softmax.py": softmax_views.PARAMS.names,
    "app_pages/cross-entropy.py": ce_views.PARAMS.names,
    "app_pages/learning.py": learning.PARAMS.names,
    "app_pages/simplex.py": simplex.PARAMS.names,
    "app_pages/quiz.py": frozenset({"qz_seed", "qz_n"}),
    "app_pages/next-token.py": next_token.PARAMS.names,
}
EVERY_KEY = sorted(PARAMS | {"present"} | frozenset().union(*PAGES.values()))
OFF = {"present": {"0", "false", "no", "off", ""}, "ce_fw_smooth": {"0"}}
HOSTILE = [
    "<script>alert(1)</script>",
    "<svg onload=x()>",
    "javascript:alert(1)",
    "$\\frac{1}{0}$",
    "**bold** [x](http://e.x)",
    "nan",
    "inf",
    "-inf",
    "1e400",
    "1,2,3",
    "cat,dog,rabbit",
    "0.5,0.3,0.2",
    "2,1,0.1,dog;0,0,3,rabbit",
    "\u202eevil",
    "\x00",
    "9" * 3000,
    "",
    " ",
]
values = st.one_of(
    st.sampled_from(HOSTILE),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**6), 10**6).map(str),
    st.lists(st.floats(-20, 20).map(lambda v: f"{v:.3g}"), min_size=1, max_size=5).map(",".join),
    st.text(max_size=30),
)
keys = st.one_of(st.sampled_from(EVERY_KEY), st.text(min_size=1, max_size=12))


def _norm(text: str) -> list[str]:
    parts = unicodedata.normalize("NFC", text).replace(";", ",").split(",")
    out = []
    for part in parts:
        p = part.strip()
        try:
            out.append(repr(float(p)))
        except ValueError:
            word = p.casefold()
            out.append({"true": "1.0", "yes": "1.0", "on": "1.0"}.get(word, word))  # present=true means 1
    return out


@example(
    page="app_pages/next-token.py",
    query={
        "nt_t": "1e400",
        "nt_k": "-inf",
        "nt_mode": "<script>alert(1)</script>",
        "nt_prompt": "<svg onload=x()> $\\frac{1}{0}$ **zebra**",
        "nt_sentence": "9" * 3000,
        "nt_step": "nan",
    },
)
@example(page="app_pages/next-token.py", query={"nt_prompt": "\x1b", "nt_sentence": "a\x00b"})
@example(page="app_pages/learning.py", query={"lg_epoch": "300", "lg_epochs": "15"})
@example(page="app_pages/simplex.py", query={"sx_b": "1", "sx_c": "9"})
@example(page="app_pages/quiz.py", query={"qz_seed": "42.5", "qz_n": "3"})
@example(page="app_pages/cross-entropy.py", query={"ce_batch": "1,2,3,DOG", "ce_fw_smooth": "0"})
@example(page="app_pages/playground.py", query={"present": "true", "target": "DOG", "logits": "1e0,2,3"})
@example(page="app_pages/softmax.py", query={"sm_t": "0.3", "<script>": "x"})
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page=st.sampled_from(sorted(PAGES)), query=st.dictionaries(keys, values, max_size=6))
def test_any_query_string_on_any_page(page: str, query: dict[str, str]) -> None:
    at = AppTest.from_file(APP, default_timeout=30)
    for k, v in query.items():
        at.query_params[k] = v
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    warned = " ".join(plain(w.value) for w in at.warning)
    known = PARAMS | {"present"} | PAGES[page]
    out = url(at)
    for k, v in query.items():
        if k not in known:
            assert f"{k!r}" in warned or repr(k[:40] + "…") in warned, f"unknown {k!r} not named"
            continue
        applied = (k in out and _norm(out[k]) == _norm(v)) or (k not in out and v.strip().lower() in OFF.get(k, set()))
        assert applied or f"'{k}'" in warned, f"{k}={v!r} was changed to {out.get(k)!r} without a warning"
    at.run()  # still usable: it runs again, from its own URL
    assert not at.exception
    assert at.title
