"""A manager who starts the window from its icon on a server database that needs a schema update
pg_dump cannot back up is asked, in the window's words, instead of being sent to a command-line
flag: Quit changes nothing; "I have a backup: update it" updates it and opens the window's database."""

from __future__ import annotations

import os

import pytest

from app.core import store
from app.core.store import migrations
from app.gui import application
from tests.helpers.database import make_version_4, schema_version_now

pytestmark = pytest.mark.postgres_only


class Answers:
    def __init__(self, *answers: bool) -> None:
        self.answers = list(answers)
        self.asked: list[tuple[str, str]] = []

    def confirm_update_unbacked(self, parent, before: str, how: str) -> bool:
        self.asked.append((before, how))
        return self.answers.pop(0)


def test_the_window_asks_before_updating_a_server_database_without_a_backup(db_path, make_batch, monkeypatch, tmp_path):
    make_batch(quantity=3)
    make_version_4(db_path)
    store.close_database()
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump on this PC
    prompts = Answers(False, True)

    assert application.open_database(db_path, prompts=prompts) == application.QUIT_QUIETLY  # Quit
    assert schema_version_now() == 4  # nothing was changed
    before, how = prompts.asked[0]
    assert before.endswith("pg_dump was not found to back it up first; nothing was changed.")
    assert how.startswith("pg_dump --format=custom") and "--i-have-a-backup" not in before + how

    assert application.open_database(db_path, prompts=prompts) is None  # "I have a backup: update it"
    assert schema_version_now() == migrations.CURRENT_VERSION
    assert store.location() and not prompts.answers


def test_without_anyone_to_ask_it_is_the_sentence_of_the_command_line(db_path, make_batch, monkeypatch, tmp_path):
    make_batch(quantity=3)
    make_version_4(db_path)
    store.close_database()
    monkeypatch.setenv("PATH", str(tmp_path))
    said = application.open_database(db_path)
    assert "then run the same command again with --i-have-a-backup." in said
    assert schema_version_now() == 4
    assert os.environ["PATH"] == str(tmp_path)
