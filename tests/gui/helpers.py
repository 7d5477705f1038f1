"""Fakes for the GUI tests: the claim server, the prompts service."""

from __future__ import annotations

from app.core.errors import ServerProblem
from app.gui.delete_dialog import DeleteChoice
from app.gui.prompts import Prompts


class FakeServer:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.url = f"http://127.0.0.1:{port}"
        self.stopped = False

    def stop(self) -> None:
        self.stopped = True


class FakeServerFactory:
    """start_server(host, port) as the window calls it; records what it started."""

    def __init__(self, fail_with: str | None = None) -> None:
        self.fail_with = fail_with
        self.started: list[FakeServer] = []

    def __call__(self, host: str, port: int) -> FakeServer:
        if self.fail_with:
            raise ServerProblem(self.fail_with)
        server = FakeServer(host, port)
        self.started.append(server)
        return server


class FakePrompts(Prompts):
    """Answers the window's questions from queues instead of showing modal dialogs."""

    def __init__(self) -> None:
        self.delete_answers: list[DeleteChoice] = []
        self.file_names: list[str | None] = []
        self.asked_delete: list[tuple[int, str]] = []

    def confirm_delete(self, parent, summary, exported_to: str = "") -> DeleteChoice:
        self.asked_delete.append((summary.id, exported_to))
        return self.delete_answers.pop(0)

    def save_file_name(self, parent, caption, suggested, file_filter):
        return self.file_names.pop(0)
