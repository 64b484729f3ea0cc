"""Numbers for people: 0.0123, 1.2e-05, 9,800 epochs/s, 2.1 s."""
from __future__ import annotations

import math


def number(value: float | None, digits: int = 3) -> str:
    """Significant digits, plain notation between 1e-3 and 1e6, scientific outside it."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 1e6 or magnitude < 1e-3:
        return f"{value:.{max(digits - 1, 0)}e}"
    if magnitude >= 1000:
        return f"{value:,.0f}"
    decimals = max(digits - 1 - int(math.floor(math.log10(magnitude))), 0)
    return f"{value:.{decimals}f}"


def count(value: int) -> str:
    return f"{int(value):,}"


def rate(per_second: float) -> str:
    if per_second >= 100:
        return f"{per_second:,.0f}"
    return f"{per_second:.1f}" if per_second >= 1 else f"{per_second:.2f}"


def duration(seconds: float | None) -> str:
    if seconds is None or math.isnan(seconds) or math.isinf(seconds):
        return "–"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


# Names whose usual spelling is not "capitalise the first letter".
_SPELLINGS = {"sgd": "SGD (plain gradient descent)", "rmsprop": "RMSprop", "relu": "ReLU",
              "leaky_relu": "Leaky ReLU", "elu": "ELU", "mse": "Squared error"}


def label(name: str, entry: object = None) -> str:
    """A registry entry's human label, or its key made readable ("glorot_uniform" → "Glorot
    uniform", "sgd" → "SGD (plain gradient descent)")."""
    text = getattr(entry, "label", None)
    if text:
        return str(text)
    return _SPELLINGS.get(name) or name.replace("_", " ").capitalize()
