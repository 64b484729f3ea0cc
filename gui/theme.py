"""Light, dark or the platform's choice: View ▸ Theme, remembered in QSettings ("view/theme").

The palette is set on the application, so every widget gets a PaletteChange event; the plots, the
diagram and the icons listen for it and redraw in the new colours (nothing restarts).
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

THEMES = (("system", "&System"), ("light", "&Light"), ("dark", "&Dark"))
SETTING = "view/theme"
_SYSTEM_PALETTE = "_studio_system_palette"  # the platform's own palette, kept on the app


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.Window).lightness() < 128


def _palette(colors: dict[QPalette.ColorRole, QColor], disabled: QColor) -> QPalette:
    palette = QPalette()
    for role, color in colors.items():
        palette.setColor(role, color)
    for role in (QPalette.Text, QPalette.WindowText, QPalette.ButtonText):
        palette.setColor(QPalette.Disabled, role, disabled)
    return palette


def dark_palette() -> QPalette:
    base, window, text = QColor(30, 30, 32), QColor(45, 45, 48), QColor(225, 225, 228)
    return _palette({QPalette.Window: window, QPalette.WindowText: text, QPalette.Base: base,
                     QPalette.AlternateBase: window, QPalette.Text: text,
                     QPalette.Button: window, QPalette.ButtonText: text,
                     QPalette.ToolTipBase: window, QPalette.ToolTipText: text,
                     QPalette.Highlight: QColor(52, 120, 198),
                     QPalette.HighlightedText: QColor(255, 255, 255),
                     QPalette.PlaceholderText: QColor(140, 140, 145),
                     QPalette.Link: QColor(100, 160, 230),
                     QPalette.Mid: QColor(70, 70, 74), QPalette.Midlight: QColor(60, 60, 64),
                     QPalette.Dark: QColor(25, 25, 27), QPalette.Light: QColor(80, 80, 84),
                     QPalette.Shadow: QColor(0, 0, 0)}, QColor(120, 120, 125))


def light_palette() -> QPalette:
    window, text = QColor(239, 239, 239), QColor(20, 20, 22)
    return _palette({QPalette.Window: window, QPalette.WindowText: text,
                     QPalette.Base: QColor(255, 255, 255),
                     QPalette.AlternateBase: QColor(245, 245, 245), QPalette.Text: text,
                     QPalette.Button: window, QPalette.ButtonText: text,
                     QPalette.ToolTipBase: QColor(255, 255, 220), QPalette.ToolTipText: text,
                     QPalette.Highlight: QColor(48, 140, 198),
                     QPalette.HighlightedText: QColor(255, 255, 255),
                     QPalette.PlaceholderText: QColor(120, 120, 125),
                     QPalette.Link: QColor(0, 90, 180),
                     QPalette.Mid: QColor(184, 184, 184), QPalette.Midlight: QColor(227, 227, 227),
                     QPalette.Dark: QColor(160, 160, 160), QPalette.Light: QColor(255, 255, 255),
                     QPalette.Shadow: QColor(118, 118, 118)}, QColor(150, 150, 150))


def _system_prefers_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return hasattr(hints, "colorScheme") and hints.colorScheme() == Qt.ColorScheme.Dark


def apply_theme(app: QApplication, theme: str = "system") -> None:
    """Follow the platform (light or dark), or force "light" / "dark"; may be called again at any
    time. Fusion where the default style would be the bare fallback, so spacing looks the same on
    every Linux desktop."""
    if app.style().name().lower() in ("windows", ""):
        app.setStyle(QStyleFactory.create("Fusion"))
    system = app.property(_SYSTEM_PALETTE)
    if not isinstance(system, QPalette):
        system = QPalette(app.palette())
        app.setProperty(_SYSTEM_PALETTE, system)
    if theme == "dark":
        palette = dark_palette()
    elif theme == "light":
        palette = system if not is_dark(system) else light_palette()
    else:  # the platform's palette, made dark if the platform asks for dark but did not give it
        palette = dark_palette() if _system_prefers_dark() and not is_dark(system) else system
    app.setPalette(palette)


def current_theme(settings: object) -> str:
    value = str(settings.value(SETTING, "system"))  # type: ignore[attr-defined]
    return value if value in dict(THEMES) else "system"
