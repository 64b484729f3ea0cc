"""The window against hostile or inconsistent files: a clear error and nothing half-applied."""
from __future__ import annotations

import json


def test_a_project_is_applied_all_or_nothing(qtbot, window, dialogs, tmp_path) -> None:
    path = tmp_path / "session.psproj"
    assert window.controller.save_project(str(path))
    data = json.loads(path.read_text())
    data["spec"]["n_inputs"] = 7  # a network that does not fit the project's own dataset
    path.write_text(json.dumps(data))
    window.controller.datasets.open_example("circles")
    before = (window.doc.spec, window.doc.table, window.doc.params)
    assert not window.controller.open_project(str(path))
    assert dialogs.errors and "does not fit" in dialogs.errors[-1][1]
    assert (window.doc.spec, window.doc.table, window.doc.params) == before


def test_a_project_naming_a_bad_model_changes_nothing(qtbot, window, dialogs, tmp_path) -> None:
    (tmp_path / "m.npz").write_bytes(b"PK not really")
    path = tmp_path / "session.psproj"
    assert window.controller.save_project(str(path))
    data = json.loads(path.read_text())
    data["model"] = {"relative": "m.npz", "absolute": str(tmp_path / "m.npz")}
    path.write_text(json.dumps(data))
    window.controller.datasets.open_example("circles")
    before = (window.doc.spec, window.doc.table, window.doc.params)
    assert not window.controller.open_project(str(path))
    assert dialogs.errors and "damaged" in dialogs.errors[-1][1]
    assert (window.doc.spec, window.doc.table, window.doc.params) == before


def test_dev_zero_as_a_model_is_one_clear_error(window, dialogs) -> None:
    assert not window.controller.load_model("/dev/zero")
    assert "not a regular file" in dialogs.errors[-1][1]
