"""Who stands at this till: the till's name (this PC's host name until it is given one) and the
staff member's name, remembered per PC; every redemption and undo made here records both."""

from __future__ import annotations

from app.core.activity import Actor, this_pc
from app.gui.preferences import Preferences


class TillIdentity:
    """A typed view of the till's two names in this PC's preferences."""

    def __init__(self, prefs: Preferences) -> None:
        self._store = prefs.store

    def till(self) -> str:
        return self.named_till() or this_pc()

    def named_till(self) -> str:
        """The name given to this till, or "" while it goes by this PC's host name."""
        return str(self._store.value("till/name", "") or "")

    def staff(self) -> str:
        return str(self._store.value("till/staff", "") or "")

    def set_till(self, name: str) -> None:
        self._set("till/name", name)

    def set_staff(self, name: str) -> None:
        self._set("till/staff", name)

    def actor(self) -> Actor:
        return Actor.named(self.till(), self.staff())

    def _set(self, key: str, value: str) -> None:
        value = (value or "").strip()
        if value:
            self._store.setValue(key, value)
        else:
            self._store.remove(key)
        self._store.sync()
