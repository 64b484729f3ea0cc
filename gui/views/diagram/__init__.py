"""The network-diagram editor: `NetworkDiagram(document)`, the centre of the window."""
from __future__ import annotations

from gui.views.diagram.view import NetworkDiagram

__all__ = ["NetworkDiagram"]
