"""Cross-entropy, up close: loss curves, soft targets, the information view, a batch, frameworks."""

from ui import cross_entropy_tabs as views
from ui.frame import tabbed

tabbed(
    "Cross-entropy, up close",
    "The same example as the Playground (change the logits here or there). "
    "Each tab takes one question students ask about cross-entropy and answers it with these numbers.",
    views.PARAMS,
    [
        ("Loss curves", views.loss_curves_section),
        ("Soft targets", views.soft_targets),
        ("Information", views.information_section),
        ("A batch", views.batch),
        ("In your framework", views.frameworks),
    ],
)
