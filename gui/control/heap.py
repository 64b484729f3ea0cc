"""The heap while a training run is live: frozen out of cyclic collections (Qt-free).

A full collection would scan the whole window's ~100,000 objects (~120 ms holding the GIL: a
frozen window and a stalled run), and a fast run makes ~100,000 more tracked objects a second
(the time machine's states), whose young-generation scans took 25-85 ms a second. So the heap is
frozen as a run starts, the UI thread's collector (gui.app.collect_on_ui_thread) freezes what the
run makes instead of scanning it, and the run's end unfreezes everything for the collections
after. Refcounting still frees what the run drops.

The flag is kept here because gc.get_freeze_count() walks the whole frozen list (~30 ms with a
run's objects in it).
"""
from __future__ import annotations

import gc

_frozen = False


def freeze() -> None:
    global _frozen
    _frozen = True
    gc.freeze()


def unfreeze() -> None:
    global _frozen
    _frozen = False
    gc.unfreeze()


def frozen() -> bool:
    """Whether a live run keeps the heap frozen (a cheap check: no walk of the frozen list)."""
    return _frozen
