"""One instance per database: a second `voucher-batches` on the same database brings back the running
instance's window instead of starting a second claim site. The running one listens on a local socket
named from the database's location (and the user); the second one sends it "show" and ends."""

from __future__ import annotations

import getpass
import hashlib
from collections.abc import Callable
from typing import cast

from PySide6.QtCore import QObject
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
