"""One instance per database: a second `voucher-batches` on the same database brings back the running
instance's window instead of starting a second claim site. The running one holds a lock file and
listens on a local socket, both named from the database's location (and the user); the second one
sends it "show" and ends."""

from __future__ import annotations

import getpass
import hashlib
import os
import time
from collections.abc import Callable
from typing import cast

from PySide6.QtCore import QDir, QLockFile, QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

SHOW = b"show"
TIMEOUT_MS = 1000


def socket_name(location: str) -> str:
    """The same for every start on this database by this user; nothing of the path shows in it."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this user id (a container): the id's home is theirs alone anyway
        user = ""
    digest = hashlib.sha256(f"{user}\0{location}".encode()).hexdigest()[:20]
    return f"voucher-batches-{digest}"


def ask_running(name: str, message: bytes = SHOW) -> bool:
    """Tell the instance already running on this database (if any) what to do; True when one took it."""
    connection = QLocalSocket()
    connection.connectToServer(name)
    if not connection.waitForConnected(TIMEOUT_MS):
        return False
    connection.write(message + b"\n")
    delivered = connection.waitForBytesWritten(TIMEOUT_MS)
    answered = (
        delivered
        and connection.waitForReadyRead(TIMEOUT_MS)
        and cast(bytes, connection.readLine().data()).strip() == b"ok"
    )
    connection.disconnectFromServer()
    return bool(answered)


def claim(name: str) -> QLockFile | None:
    """This start's claim to be the one instance on this database: a lock file, taken before the
    socket is listened on. On Windows a QLocalServer is a named pipe, and two of them can listen on
    one name, so two starts at once (a double-click) opened two windows and two claim sites. None
    when another start holds it; a lock left by a process that ended is taken over."""
    lock = QLockFile(os.path.join(QDir.tempPath(), f"{name}.lock"))
    lock.setStaleLockTime(0)  # stale only when its process is gone, never by age: an instance runs for days
    return lock if lock.tryLock(0) else None


def ask_running_soon(name: str, seconds: float = 10.0, message: bytes = SHOW) -> bool:
    """ask_running until the instance that holds the lock (perhaps still starting) takes the message."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ask_running(name, message):
            return True
        time.sleep(0.25)
    return False


class InstanceServer(QObject):
    """Where a second start of this database finds the running one. handler(command) for each message."""

    def __init__(self, name: str, handler: Callable[[str], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._handler = handler
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_new_connection)
        if not self._server.listen(name):
            # a socket left behind by an instance that crashed: nobody answered on it (ask_running said so)
            QLocalServer.removeServer(name)
            self._server.listen(name)

    def is_listening(self) -> bool:
        return self._server.isListening()

    def _on_new_connection(self) -> None:
        while self._server.hasPendingConnections():
            connection = self._server.nextPendingConnection()
            connection.readyRead.connect(lambda connection=connection: self._on_ready_read(connection))
            connection.disconnected.connect(connection.deleteLater)

    def _on_ready_read(self, connection: QLocalSocket) -> None:
        while connection.canReadLine():
            command = cast(bytes, connection.readLine().data()).decode("utf-8", "replace").strip()  # (bytes in PySide)
            connection.write(b"ok\n")
            connection.flush()
            self._handler(command)

    def close(self) -> None:
        self._server.close()
