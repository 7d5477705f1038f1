"""What this PC remembers between starts (QSettings): the window's geometry, the database location
and the last folder a file was saved in."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION = "Voucher Batches"
APPLICATION = "voucher-batches"


class Preferences:
    """A thin, typed view of one QSettings store; tests hand in a QSettings on a temporary file."""

    def __init__(self, store: QSettings | None = None) -> None:
        self.store = store if store is not None else QSettings(ORGANIZATION, APPLICATION)

    def database_location(self) -> str | None:
        value = self.store.value("database/location", "")
        return str(value) if value else None

    def set_database_location(self, location: str | None) -> None:
        if location:
            self.store.setValue("database/location", location)
        else:
            self.store.remove("database/location")
        self.store.sync()

    def welcomed(self) -> bool:
        """Whether this PC asked the first start's questions already (saved or skipped)."""
        return str(self.store.value("welcome/done", "")) == "yes"

    def set_welcomed(self) -> None:
        self.store.setValue("welcome/done", "yes")
        self.store.sync()

    def window_geometry(self) -> QByteArray | None:
        value = self.store.value("window/geometry")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_window_geometry(self, geometry: QByteArray) -> None:
        self.store.setValue("window/geometry", geometry)
        self.store.sync()

    def last_save_folder(self) -> str | None:
        value = self.store.value("files/last_save_folder", "")
        return str(value) if value else None

    def set_last_save_folder(self, folder: str) -> None:
        self.store.setValue("files/last_save_folder", folder)
        self.store.sync()
