"""A drag on each page is answered with exactly the panel the page draws on a rerun.

The browser's part is played as ``ui/logit_pad.js`` plays it: the pad's live
context (what the page gave it) plus the logits, sent to the live route's reply
function. The reply's slots must equal what the page itself drew, slot by slot:
otherwise the screen would jump when the drag ends and the rerun draws.
"""

from __future__ import annotations

import json

import pytest

from routes.live import answer
from tests.app.pad import pad_data, send_logits
from tests.app.support import open_page, panel_slots

CASES = [
    ("app_pages/playground.py", {}),
    ("app_pages/playground.py", {"temperature": "2", "unit": "bits", "present": "1"}),
    ("app_pages/playground.py", {"classes": "a,b", "logits": "1e4,-800", "target": "b"}),
    ("app_pages/simplex.py", {}),
    ("app_pages/simplex.py", {"classes": "cat,dog,rabbit,fox,owl", "logits": "2,1,0.1,0.5,-1", "sx_lr": "0.1"}),
    ("app_pages/softmax.py", {"temperature": "0.5"}),
    ("app_pages/cross-entropy.py", {"target": "rabbit"}),
    ("app_pages/learning.py", {}),
]


def reply_for(at: object, logits: list[float]) -> dict[str, object]:
    data = pad_data(at)  # type: ignore[arg-type]
    assert data["live"] is not None, "the page gave its logit control no live context"
    message = {**data["live"], "seq": 1, "logits": logits}
    reply = json.loads(answer(json.dumps(message)))
    assert reply["ok"] is True, reply
    return reply


@pytest.mark.parametrize(("page", "query"), CASES, ids=[f"{p.split('/')[1]}-{i}" for i, (p, _) in enumerate(CASES)])
def test_a_drag_is_answered_with_the_panel_the_page_draws(page: str, query: dict[str, str]) -> None:
    at = open_page(page, query)
    drawn = panel_slots(at)
    assert drawn, "the page draws no live panel"
    assert reply_for(at, pad_data(at)["logits"])["panel"]["slots"] == drawn  # type: ignore[index]


@pytest.mark.parametrize("page", ["app_pages/playground.py", "app_pages/simplex.py"])
def test_the_value_a_drag_ends_on_is_what_the_commit_draws(page: str) -> None:
    """The last live answer of a drag equals the page after the commit of the same values (on the Simplex page
    the drag makes owl and fox the most probable others: the corners shown must stay the pinned ones)."""
    at = open_page(page, {"classes": "cat,dog,rabbit,fox,owl", "logits": "2,1,0.1,0.5,-1"})
    live = reply_for(at, [2.0, -1.0, 0.1, 0.5, 1.0])  # the first drag after opening (corners not yet pinned)
    send_logits(at, [2.0, -1.0, 0.1, 0.5, 1.0])
    assert live["panel"]["slots"] == panel_slots(at)  # type: ignore[index]
