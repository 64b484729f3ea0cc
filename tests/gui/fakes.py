"""A scripted stand-in for gui.control.dialogs.QtDialogs: records what was shown, answers from
lists."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FakeDialogs:
    open_paths: list[str | None] = field(default_factory=list)
    save_paths: list[str | None] = field(default_factory=list)
    directories: list[str | None] = field(default_factory=list)
    choices: list[str | None] = field(default_factory=list)
    confirm_answer: bool = True
    save_discard_cancel: str = "discard"
    errors: list[tuple[str, str]] = field(default_factory=list)
    infos: list[tuple[str, str]] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)

    def ask_open_path(self, title: str, filters: str, directory: str = "") -> str | None:
        self.asked.append(title)
        return self.open_paths.pop(0) if self.open_paths else None

    def ask_save_path(self, title: str, filters: str, suggested: str = "") -> str | None:
        self.asked.append(title)
        return self.save_paths.pop(0) if self.save_paths else None

    def ask_directory(self, title: str, directory: str = "") -> str | None:
        self.asked.append(title)
        return self.directories.pop(0) if self.directories else None

    def confirm(self, title: str, text: str) -> bool:
        self.asked.append(title)
        return self.confirm_answer

    def ask_save_discard_cancel(self, title: str, text: str) -> str:
        self.asked.append(title)
        return self.save_discard_cancel

    def ask_choice(self, title: str, label: str, options: list[str]) -> str | None:
        self.asked.append(title)
        return self.choices.pop(0) if self.choices else None

    def ask_locate_file(self, title: str, missing_path: str, filters: str) -> str | None:
        self.asked.append(title)
        return self.open_paths.pop(0) if self.open_paths else None

    def show_error(self, title: str, text: str) -> None:
        self.errors.append((title, text))

    def show_info(self, title: str, text: str) -> None:
        self.infos.append((title, text))
