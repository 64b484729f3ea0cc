"""The curves' colours, shared by the plots and the views that echo them (the prediction's bars),
in a module without pyqtgraph: the prediction panel is built before the plots are."""
from __future__ import annotations

TRAIN_COLOR = "#E69F00"  # Okabe-Ito orange / blue: distinct for colour-blind readers too
VAL_COLOR = "#0072B2"
BEST_COLOR = "#009E73"
