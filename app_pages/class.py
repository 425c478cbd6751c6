"""Class: a whole room answers on phones, the projector shows the spread, then the truth."""

from ui import classroom
from ui.frame import page

with page(
    "Class",
    classroom.caption(),
    classroom.params(),
    toolbar=None,
) as sc:  # the shared example rides along in the URL, as on every page: the teacher asks about it
    classroom.show(sc)
