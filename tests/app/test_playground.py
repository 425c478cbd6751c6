"""The Playground page in Streamlit's AppTest: defaults, presets, URL states, bad URLs, every control.

Expected numbers are computed here from the formulas (math.log, math.exp), not
taken from the app's own code.
"""

from __future__ import annotations

import math
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.pad import pad_data, send_logits
from tests.app.support import panel_metric, panel_metrics, panel_part, panel_parts, plain, url

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def open_app(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def widget(at: AppTest, kind: str, base: str) -> Any:
    """The one widget of ``kind`` whose key is ``base`` (at any revision: ``base~N``)."""
    found = [w for w in getattr(at, kind) if w.key == base or str(w.key).startswith(base + "~")]
    assert len(found) == 1, (kind, base, [w.key for w in getattr(at, kind)])
    return found[0]


def ce(at: AppTest) -> str:
    return panel_metric(at, "ce")["value"]


def ce_value(at: AppTest) -> float:
    number, _unit = ce(at).split()
    return float(number.replace("−", "-"))


def steps_rows(at: AppTest) -> list[list[str]]:
    """The step-by-step table as rows of cell texts (header row first), as a reader sees it."""
    source = panel_part(at, "pg_steps")["html"]
    rows: list[list[str]] = []

    class Cells(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "tr":
                rows.append([])
            elif tag in ("td", "th") and rows:
                rows[-1].append("")

        def handle_data(self, data: str) -> None:
            if rows and rows[-1]:
                rows[-1][-1] += data

    Cells().feed(source)
    return rows


def steps_table(at: AppTest) -> str:
    return "\n".join(" | ".join(r) for r in steps_rows(at))


def softmax_ce(logits: list[float], target: int, t: float = 1.0) -> float:
    """-log softmax(z/T)[target], straight from the definition."""
    zs = [z / t for z in logits]
    m = max(zs)
    return -(zs[target] - m - math.log(sum(math.exp(z - m) for z in zs)))


def test_default_page() -> None:
    at = open_app()
    assert ce(at) == f"{softmax_ce([2.0, 1.0, 0.1], 1):.4f} nats"
    assert not at.warning
    assert pad_data(at)["names"] == ["cat", "dog", "rabbit"]
    assert pad_data(at)["logits"] == [2.0, 1.0, 0.1]
    assert pad_data(at)["target"] == 1
    assert widget(at, "segmented_control", "target").value == 1
    assert widget(at, "slider", "temperature").value == 1.0
    charts = [p["key"] for p in panel_parts(at) if p["kind"] == "chart"]
    assert sorted(charts) == ["pg_grad", "pg_loss_curve", "pg_probs"]
    assert url(at) == {"classes": "cat,dog,rabbit", "logits": "2,1,0.1", "target": "dog", "temperature": "1"}


@pytest.mark.parametrize(
    ("target", "expected"),
    [("dog", "1.6094"), ("cat", "0.3567"), ("rabbit", "2.3026")],
)
def test_documented_url_shows_its_cross_entropy(target: str, expected: str) -> None:
    at = open_app({"classes": "cat,dog,rabbit", "logits": "-0.356675,-1.609438,-2.302585", "target": target})
    assert ce(at) == f"{expected} nats"
    assert not at.warning
    assert pad_data(at)["logits"] == [-0.356675, -1.609438, -2.302585]


def test_url_state_is_restored_in_every_control() -> None:
    at = open_app({"classes": "ant,bee", "logits": "12.5,-3", "target": "bee", "temperature": "2.5", "unit": "bits"})
    assert pad_data(at)["logits"] == [12.5, -3.0]  # the pad shows 12.5 exactly, its slider parks at 10
    assert widget(at, "segmented_control", "target").value == 1
    assert widget(at, "slider", "temperature").value == 2.5
    assert widget(at, "segmented_control", "unit").value == "bits"
    expected_bits = softmax_ce([12.5, -3.0], 1, 2.5) / math.log(2)
    assert ce(at) == f"{expected_bits:.4f} bits"


@pytest.mark.parametrize(
    ("name", "logits", "target"),
    [
        ("The article's example", [math.log(0.7), math.log(0.2), math.log(0.1)], 1),
        ("Confident and right", [0.0, 5.0, 0.0], 1),
        ("Confident and wrong", [5.0, 0.0, 0.0], 1),
        ("Unsure (all equal)", [0.0, 0.0, 0.0], 1),
    ],
)
def test_presets(name: str, logits: list[float], target: int) -> None:
    at = open_app({"temperature": "3"})
    epoch = pad_data(at)["epoch"]
    next(b for b in at.button if b.label == name).click().run()
    assert pad_data(at)["epoch"] > epoch  # the browser must drop its own values for the preset's
    assert pad_data(at)["logits"] == pytest.approx(logits, abs=1e-12)
    assert not at.exception
    assert ce_value(at) == pytest.approx(softmax_ce(logits, target), abs=5e-5)
    assert widget(at, "slider", "temperature").value == 1.0
    assert [float(v) for v in url(at)["logits"].split(",")] == pytest.approx(logits, abs=1e-12)


def test_article_preset_shows_the_articles_loss() -> None:
    at = open_app()
    next(b for b in at.button if b.label == "The article's example").click().run()
    assert ce(at) == "1.6094 nats"  # = -ln 0.2
    table = steps_table(at)
    for p in ("0.7000", "0.2000", "0.1000"):
        assert p in table


BAD_URLS = [
    ({"logits": "1,2"}, "logits"),
    ({"logits": "a,b,c"}, "logits"),
    ({"logits": "nan,0,0"}, "logits"),
    ({"logits": "inf,0,0"}, "logits"),
    ({"classes": "cat"}, "classes"),
    ({"classes": "a,A"}, "classes"),
    ({"classes": ",".join("abcdefghijk")}, "classes"),
    ({"classes": "x" * 30 + ",y"}, "classes"),
    ({"target": "zebra"}, "target"),
    ({"temperature": "0"}, "temperature"),
    ({"temperature": "1e9"}, "temperature"),
    ({"temperature": "hot"}, "temperature"),
    ({"unit": "parsecs"}, "unit"),
    ({"bogus": "1"}, "bogus"),
    ({"classes": "<script>alert(1)</script>,b", "target": "**b**"}, "target"),
]


@pytest.mark.parametrize(("query", "param"), BAD_URLS)
def test_bad_url_shows_a_warning_on_a_working_page(query: dict[str, str], param: str) -> None:
    at = open_app(query)
    assert at.warning, "a bad parameter must be named in a warning"
    assert any(f"'{param}'" in plain(w.value) for w in at.warning)
    assert math.isfinite(ce_value(at))
    # the page still works: a change clears the warning and moves the loss
    before = ce(at)
    send_logits(at, [-9.0, *pad_data(at)["logits"][1:]])
    assert not at.exception
    assert not at.warning
    assert ce(at) != before


def test_pad_updates_the_loss_the_url_and_acknowledges() -> None:
    at = open_app()
    send_logits(at, [2.0, 4.0, 0.1], seq=7)
    assert ce(at) == f"{softmax_ce([2.0, 4.0, 0.1], 1):.4f} nats"
    assert url(at)["logits"] == "2,4,0.1"
    assert pad_data(at)["ack"] == 7  # the browser may send its next update
    epoch = pad_data(at)["epoch"]
    send_logits(at, [1e4, 4.0, 0.1], seq=8)  # any finite value, exactly
    assert ce(at) == f"{softmax_ce([1e4, 4.0, 0.1], 1):.4f} nats"  # 9996.0000: finite and exact
    assert url(at)["logits"] == "10000,4,0.1"
    assert pad_data(at)["epoch"] == epoch  # the pad's own changes keep the epoch


@pytest.mark.parametrize(
    "message",
    [
        {"epoch": -1, "logits": [9.0, 9.0, 9.0]},  # sent before a preset the browser had not seen yet
        {"logits": [9.0, 9.0]},  # wrong number of classes
        {"logits": [float("nan"), 0.0, 0.0]},
        {"logits": ["a", 0.0, 0.0]},
        {"logits": None},
    ],
)
def test_stale_or_malformed_pad_messages_change_nothing(message: dict[str, Any]) -> None:
    at = open_app()
    before = (ce(at), url(at))
    send_logits(at, message["logits"], **({"epoch": message["epoch"]} if "epoch" in message else {}))
    assert not at.exception
    assert (ce(at), url(at)) == before


def test_reference_sliders_stay_in_step(monkeypatch: pytest.MonkeyPatch) -> None:
    """The plain st.slider controls (the benchmarks' reference) work the same way."""
    monkeypatch.setenv("EXPLORER_CONTROLS", "slider")
    at = open_app()
    widget(at, "slider", "pg_logit_1").set_value(4.0).run()
    assert widget(at, "number_input", "pg_logit_exact_1").value == 4.0
    assert ce(at) == f"{softmax_ce([2.0, 4.0, 0.1], 1):.4f} nats"
    assert url(at)["logits"] == "2,4,0.1"
    widget(at, "number_input", "pg_logit_exact_0").set_value(1e4).run()
    assert widget(at, "slider", "pg_logit_0").value == 10.0
    assert ce(at) == f"{softmax_ce([1e4, 4.0, 0.1], 1):.4f} nats"
    assert any("beyond the slider" in c.value for c in at.caption)


def test_target_temperature_and_unit() -> None:
    at = open_app()
    widget(at, "segmented_control", "target").set_value(0).run()
    assert ce(at) == f"{softmax_ce([2.0, 1.0, 0.1], 0):.4f} nats"
    widget(at, "slider", "temperature").set_value(0.5).run()
    assert ce(at) == f"{softmax_ce([2.0, 1.0, 0.1], 0, 0.5):.4f} nats"
    widget(at, "segmented_control", "unit").set_value("bits").run()
    assert ce(at) == f"{softmax_ce([2.0, 1.0, 0.1], 0, 0.5) / math.log(2):.4f} bits"
    assert url(at) == {
        "classes": "cat,dog,rabbit",
        "logits": "2,1,0.1",
        "target": "cat",
        "temperature": "0.5",
        "unit": "bits",
    }


def test_rename_add_and_remove_classes() -> None:
    at = open_app()
    widget(at, "text_input", "pg_name_2").input("hare").run()
    assert url(at)["classes"] == "cat,dog,hare"
    assert pad_data(at)["names"] == ["cat", "dog", "hare"]

    widget(at, "text_input", "pg_name_2").input("Dog").run()  # duplicate (ignoring case)
    assert widget(at, "text_input", "pg_name_2").value == "hare"  # the last good name stays
    assert url(at)["classes"] == "cat,dog,hare"
    assert any("already a class called 'Dog'" in plain(e.value) for e in at.error)

    widget(at, "text_input", "pg_name_0").input("   ").run()  # empty
    assert widget(at, "text_input", "pg_name_0").value == "cat"
    assert any("cannot be empty" in plain(e.value) for e in at.error)

    widget(at, "button", "pg_add").click().run()
    assert url(at)["classes"] == "cat,dog,hare,class 4"
    assert url(at)["logits"] == "2,1,0.1,0"
    assert ce(at) == f"{softmax_ce([2.0, 1.0, 0.1, 0.0], 1):.4f} nats"

    widget(at, "button", "pg_remove_1").click().run()  # remove the true class: the first class becomes true
    assert url(at)["classes"] == "cat,hare,class 4"
    assert url(at)["target"] == "cat"
    assert not at.exception


def test_class_count_limits_disable_the_buttons() -> None:
    at = open_app({"classes": "a,b"})
    assert widget(at, "button", "pg_remove_0").disabled
    at = open_app({"classes": ",".join("abcdefghij")})
    assert widget(at, "button", "pg_add").disabled
    assert not widget(at, "button", "pg_remove_0").disabled


def test_minus_infinity_never_reaches_the_screen_as_nan() -> None:
    # 1e308 and -1e308 with T = 0.05 push the true class's probability to exactly 0
    at = open_app({"logits": "1e308,-1e308,0", "temperature": "0.05"})
    assert ce(at) == "∞ nats"
    shown = steps_table(at) + " ".join(m["value"] for m in panel_metrics(at))
    assert "nan" not in shown.lower()


def test_step_table_shows_each_step_and_the_sums() -> None:
    at = open_app({"logits": "2,1,0.1", "temperature": "2"})
    rows = steps_rows(at)
    header, body, total = rows[0], rows[1:4], rows[4]
    assert [h.strip() for h in header] == [
        "class",
        "z",
        "z / T",
        "shifted (− max)",
        "exp(shifted)",
        "p = exp / Σ",
        "−ln p",
    ]
    z = [2.0, 1.0, 0.1]
    exps = [math.exp((v - 2.0) / 2) for v in z]
    for i, row in enumerate(body):
        cells = [c.strip().replace("−", "-") for c in row]
        assert float(cells[2]) == pytest.approx(z[i] / 2, abs=5e-5)
        assert float(cells[4]) == pytest.approx(exps[i], abs=5e-5)
        assert float(cells[5]) == pytest.approx(exps[i] / sum(exps), abs=5e-5)
    assert "✓ true" in body[1][0]
    assert float(total[4]) == pytest.approx(sum(exps), abs=5e-5)


def _chart_data(at: AppTest, key: str) -> dict[str, Any]:
    return panel_part(at, key)


def test_at_t_2_every_number_for_dog_is_softmax_of_z_over_2() -> None:
    """Issue 11: logits (2, 1, 0.1) at T = 2 give p(dog) = softmax([1, 0.5, 0.05])[1] = 0.3043 everywhere."""
    at = open_app({"logits": "2,1,0.1", "target": "dog", "temperature": "2"})
    s = [1.0, 0.5, 0.05]
    p_dog = math.exp(s[1]) / sum(math.exp(v) for v in s)
    assert f"{p_dog:.4f}" == "0.3043"
    assert panel_metric(at, "p_true")["value"] == "0.3043"
    assert steps_rows(at)[2][5].strip() == "0.3043"
    assert _chart_data(at, "pg_probs")["tables"][0]["rows"][1] == ["dog (true class)", "0.3043"]
    grad = _chart_data(at, "pg_grad")["tables"][0]["rows"][1]
    assert grad == ["dog (true class)", f"{(p_dog - 1) / 2:.4f}".replace("-", "−")]  # (p − 1) / T
    now = _chart_data(at, "pg_loss_curve")["tables"][1]
    assert now["rows"] == [["0.3043", f"{-math.log(p_dog):.4f}"]]
    assert ce(at) == f"{-math.log(p_dog):.4f} nats"


def test_show_the_numbers_tables_follow_the_unit() -> None:
    at = open_app({"logits": "2,1,0.1", "target": "dog", "unit": "bits"})
    curve, now = _chart_data(at, "pg_loss_curve")["tables"]
    assert curve["header"] == ["p(true class)", "loss (bits)"]
    assert curve["rows"][0] == ["1.00 × 10⁻⁴", f"{-math.log2(1e-4):.4f}"]
    assert now["rows"][0][1] == f"{softmax_ce([2.0, 1.0, 0.1], 1) / math.log(2):.4f}"


def test_the_palette_lives_in_core_and_the_page_uses_it() -> None:
    from core.figures.style import STYLE as CORE_STYLE
    from ui.present import style
    from ui.theme import CSS, STYLE

    assert STYLE is CORE_STYLE  # one palette, one place
    assert style() is CORE_STYLE  # outside presentation mode
    assert CORE_STYLE.other in CSS  # the focus ring and the true-class row take the same palette


@pytest.mark.parametrize(
    ("query", "value", "delta"),
    [
        ({"logits": "0,0,0"}, "cat, dog, rabbit", "= a tie, the true class among them"),  # "Unsure (all equal)"
        ({"logits": "1e4,1e4,1"}, "cat, dog", "= a tie, the true class among them"),
        ({"logits": "3,1,3"}, "cat, rabbit", "✗ wrong: a tie without the true class"),
        ({"logits": "1,3,0"}, "dog", "✓ right"),
        ({"logits": "3,1,0"}, "cat", "✗ wrong"),
    ],
)
def test_a_tie_for_the_top_is_named_as_a_tie_not_a_wrong_pick(query: dict[str, str], value: str, delta: str) -> None:
    top = panel_metric(open_app({**query, "target": "dog"}), "top")
    assert (top["value"], top["delta"]) == (value, delta)
    assert ("tie" in top["label"]) == ("," in value)
