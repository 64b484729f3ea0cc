"""A missing font draws every glyph as a box without any error, so check a real one is there."""
from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics


def test_dejavu_font_is_available(qapp) -> None:
    families = QFontDatabase.families()
    assert any(f.startswith("DejaVu") for f in families), f"fonts found: {families[:10]}"


def test_default_font_has_glyphs_for_ui_text(qapp) -> None:
    metrics = QFontMetrics(QFont())
    # Characters the UI shows: arrows in "2 → 4 → 1", the ellipsis marker, the middle dot.
    for char in "Aa0→⋮·":
        assert metrics.inFontUcs4(ord(char)), f"no glyph for {char!r} in {QFont().family()}"
