"""Composition of the "look inside" views (issue 14) into the main window, kept out of
MainWindow so that it stays composition of whole panels: the probability curves beside the
Evaluation scores, the data check and its pre-train prompt, the learning-rate range test, the
step-through, and input importance with the profiler.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from gui.views.insight.probability_panel import ProbabilityPanel

if TYPE_CHECKING:
    from gui.main_window import MainWindow


def install(window: MainWindow) -> None:
    """Build the views, put them in their places and wire their intents to the controller."""
    evaluation = window.evaluation_panel
    window.probability_panel = ProbabilityPanel(window.doc)
    window.probability_panel.set_split(evaluation.split)
    evaluation.add_side_view(window.probability_panel)
    evaluation.split_changed.connect(window.probability_panel.set_split)
    window.insight_panels.append(window.probability_panel)
