"""Softmax, up close: temperature, shift and scale, numerical stability, two classes, the Jacobian."""

from ui import softmax_tabs as views
from ui.frame import tabbed

tabbed(
    "Softmax, up close",
    "The same example as the Playground (change the logits here or there). "
    "Each tab takes one property of softmax and shows it with these numbers, "
    "at the toolbar's temperature T: p = softmax(z / T).",
    views.PARAMS,
    [
        ("Temperature", views.temperature),
        ("Shift and scale", views.shift_and_scale),
        ("Stability", views.stability),
        ("Two classes", views.two_classes),
        ("Jacobian", views.jacobian_section),
    ],
)
