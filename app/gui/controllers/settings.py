"""The settings, as the window uses them: read at start (the window's title, the claim site), edited in
the Settings dialog, saved on a worker; the claim site restarts when its address changes, and runs on
this PC only when it is not hosted elsewhere. A database server's address is tried (and its password
kept, outside QSettings) before it is saved for the next start."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from app.core import doctor, links, settings, store, times
from app.core.activity import this_pc
from app.core.errors import DatabaseProblem, VoucherError, sentence
from app.core.store import backups, credentials
from app.gui.kit.dialog_slot import DialogSlot
from app.gui.kit.prompts import Prompts
from app.gui.kit.tasks import run_task
from app.gui.preferences import Preferences

from .claim_site import ClaimServer
from .till_identity import TillIdentity

if TYPE_CHECKING:
    from app.gui.dialogs.settings import SettingsDialog

POLL_MS = 1000  # how often the phone check asks the database whether a phone came


def _prepare_site():
    """On a worker: the settings with the claim base kept, and this database's claim site if one serves already."""
    try:
        loaded = settings.choose_claim_base()
    except DatabaseProblem:  # held by another program: serve all the same, and keep the base next time
        loaded = settings.load()
    if loaded.hosted:
        return loaded, None
    site = doctor.local_site(loaded.port)
    return loaded, site if site is not None and site.ours else None


def _read_for_dialog(location: str):
    """On a worker: what the Settings dialog shows (where the database's password is kept, if one is)."""
    from app.core import autostart, wallet

    current = settings.load()
    kept = credentials.where_kept() if _takes_password(location) and credentials.lookup(location) else ""
    try:
        latest = backups.latest()
        last_backup = latest.describe() if latest is not None else "No backup yet"
    except VoucherError as exc:  # PostgreSQL: its server's own tools
        last_backup = str(exc)
    return (
        current,
        times.zone_choices(),
        links.judge(current.base_url),
        autostart.is_enabled(),
        last_backup,
        kept,
        wallet.status(),
    )


def _takes_password(location: str) -> bool:
    return store.is_url(location) and not location.startswith("sqlite")


def _try_database(location: str, password: str) -> tuple[str, str]:
    """On a worker: a server's address (its password typed apart, or in it) is tried now, within
    store.CONNECT_TIMEOUT, and a password that lets us in is kept for this user. Returns the address
    without the password, and where the password is kept ("" when none was given)."""
    if not _takes_password(location):
        return location, ""
    location, in_url = credentials.split(location)
    password = password or in_url
    store.check_connection(location, password or None)
    if not password:
        return location, ""
    credentials.store(location, password)
    return location, credentials.where_kept()


class SettingsController(QObject):
    changed = Signal(object)  # the core Settings, read at start or just saved
    message = Signal(str, str)  # (sentence, kind) for the window

    def __init__(self, window: QWidget, server: ClaimServer, prefs: Preferences, prompts: Prompts) -> None:
        super().__init__(window)
        self._window = window
        self._server = server
        self._prefs = prefs
        self._prompts = prompts
        self._slot = DialogSlot(self)
        self._guide = DialogSlot(self)
        self._phone = DialogSlot(self)
        self._opening = False

    def start(self) -> None:
        """Keep the claim links' base from now on (as serve does), then serve where the settings say,
        or use the claim site that another program on this PC already serves this database with."""
        run_task(_prepare_site, self._on_loaded, self._on_read_failed, context=self)

    def _on_loaded(self, prepared) -> None:
        loaded, site = prepared
        self.changed.emit(loaded)
        if loaded.hosted:
            self._server.use_hosted(loaded.base_url)
        elif site is not None:
            self._server.use_elsewhere(site.url, loaded.base_url)
        else:
            self._server.start(loaded.host, int(loaded.port), loaded.base_url)

    def _on_read_failed(self, exc: Exception) -> None:
        self._opening = False
        self.message.emit(sentence(exc, "read the settings"), "error")

    def open(self) -> None:
        """The Settings dialog, once the settings and the time zones are read."""
        if self._slot.bring_forward() or self._opening:
            return
        self._opening = True
        location = self._prefs.database_location() or store.opened_location()
        run_task(
            lambda: _read_for_dialog(location),
            lambda read: self._on_read_for_dialog(location, read),
            self._on_read_failed,
            context=self,
        )

    def _on_read_for_dialog(self, location: str, read) -> None:
        from app.gui.dialogs.guide import GuideDialog
        from app.gui.dialogs.point_of_sale import PointOfSalePage
        from app.gui.dialogs.scanner_test import ScannerTestPage
        from app.gui.dialogs.settings import SettingsDialog

        self._opening = False
        current, zones, link, at_login, last_backup, kept, wallet_status = read
        till = (TillIdentity(self._prefs).named_till(), this_pc())
        dialog = SettingsDialog(
            current,
            location,
            zones,
            self._window,
            link=link,
            starts_at_login=at_login,
            last_backup=last_backup,
            till=till,
            password_kept=kept,
            wallet_status=wallet_status,
        )
        dialog.save_requested.connect(
            lambda edited, new_location: self._confirm(dialog, current, edited, location, new_location)
        )
        dialog.browse_requested.connect(lambda: self._browse(dialog))
        dialog.wallet_browse_requested.connect(
            lambda: self._prompts.open_file_name(
                dialog,
                "Apple Wallet certificate",
                dialog.wallet_certificate.text(),
                "Certificates (*.p12 *.pfx);;All files (*)",
                dialog.choose_wallet_certificate,
            )
        )
        dialog.guide_requested.connect(lambda: self._guide.open(GuideDialog(dialog)))
        dialog.phone_check_requested.connect(lambda: self._check_with_phone(dialog))
        dialog.add_page(ScannerTestPage(), "Scanner")
        from .point_of_sale import PointOfSaleController  # (with the API's keys and webhooks: when first opened)

        point_of_sale = PointOfSalePage(f"{current.base_url}/api/v1/")
        PointOfSaleController(point_of_sale, TillIdentity(self._prefs).actor)
        dialog.add_page(point_of_sale, "Point of sale")
        self._slot.open(dialog)

    def _check_with_phone(self, parent: QWidget) -> None:
        """A new check: its QR code on screen, then the database asked each second whether a phone came."""
        from app.core import reach

        if self._phone.bring_forward():
            return

        def begin():
            return reach.link(settings.load().base_url, reach.start())

        run_task(begin, lambda url: self._show_phone_check(parent, url), self._on_read_failed, context=self)

    def _show_phone_check(self, parent: QWidget, url: str) -> None:
        from app.core import reach
        from app.gui.dialogs.phone_check import PhoneCheckDialog

        dialog = PhoneCheckDialog(url, parent)
        token = url.rsplit("/", 1)[1]
        asking = [False]

        def ask() -> None:
            if asking[0]:
                return
            asking[0] = True

            def answered(seen) -> None:
                asking[0] = False
                dialog.show_seen(seen)
                if seen is not None:
                    timer.stop()

            def failed(exc: Exception) -> None:
                asking[0] = False
                dialog.show_error(sentence(exc, "read the check"))

            run_task(lambda: reach.seen(token), answered, failed, context=dialog)

        timer = QTimer(dialog)
        timer.setInterval(POLL_MS)
        timer.timeout.connect(ask)
        timer.start()
        self._phone.open(dialog, modal=False)

    def _browse(self, dialog: SettingsDialog) -> None:
        self._prompts.save_file_name(
            dialog,
            "Database file",
            dialog.database.text() or str(store.default_location()),
            "Voucher Batches database (*.db);;All files (*)",
            dialog.choose_database,
            confirm_overwrite=False,
        )

    def _confirm(self, dialog: SettingsDialog, before, edited, old_location: str, new_location: str) -> None:
        """What the change would break is read on a worker: a new port or host that links already out
        would no longer reach is refused, with why; a new public base URL breaks the links already
        shared, and a hosted claim site stops this PC's: both are asked first (No is the default)."""
        dialog.show_saving()

        def answer(read: tuple[str | None, str | None]) -> None:
            refusal, warning = read
            if refusal:
                dialog.show_refused(f"{refusal} Nothing was saved.")
                return
            if warning and not self._prompts.confirm_base_change(dialog, warning):
                dialog.show_refused("Not saved: claim links keep their address.")
                return
            if edited.hosted and not before.hosted and self._server.serves_here():
                url = edited.public_base_url.strip().rstrip("/")
                if not self._prompts.confirm_hosted(dialog, self._server.where(), url):
                    dialog.show_refused("Not saved: the claim site keeps serving on this PC.")
                    return
            self._save(dialog, before, edited, old_location, new_location)

        run_task(
            lambda: (settings.move_refusal(before, edited), settings.base_change_warning(before, edited)),
            answer,
            lambda exc: self._refuse(dialog, sentence(exc, "save the settings")),
            context=dialog,
        )

    def _save(self, dialog: SettingsDialog, before, edited, old_location: str, new_location: str) -> None:
        """Listen on a new address first; save; only then does the old listener stop. When the new
        address cannot be used, nothing is saved and the site keeps serving where it did."""
        host, port = (edited.host or "").strip() or settings.DEFAULT_HOST, int(edited.port)
        moved = (host, port) != (before.host, int(before.port)) or not self._server.is_running()
        if edited.hosted or not (moved and self._server.can_start() and not self._server.elsewhere):
            self._write(dialog, edited, old_location, new_location, None)
            return

        def refused(reason: str) -> None:
            kept = f" The claim site keeps serving at {self._server.where()}." if self._server.serves_here() else ""
            self._refuse(dialog, f"{reason}{kept} Nothing was saved.")

        self._server.listen(
            host, port, lambda listener: self._write(dialog, edited, old_location, new_location, listener), refused
        )

    def _write(self, dialog: SettingsDialog, edited, old_location: str, new_location: str, listener) -> None:
        from app.core import autostart, wallet

        till_name, password = dialog.till_name.text(), dialog.db_password.text()
        tried = (new_location and new_location != old_location) or bool(password)

        def done(answer) -> None:
            saved, location, kept, wallet_set = answer
            TillIdentity(self._prefs).set_till(till_name)  # this PC's, kept in its preferences
            if self._slot.dialog is dialog:
                dialog.accept()
            text = "Settings saved."
            # a database typed in, or the open server's given its password: this PC's from now on
            if location and (location != old_location or (kept and location != self._prefs.database_location())):
                self._prefs.set_database_location(location)  # never with its password: that is kept apart
                if store.describe(location) != store.describe(old_location):  # not the open one, named in full
                    text += f" The database {location} is used from the next start."
            if kept:
                text += f" Its password is kept in {kept}."
            if wallet_set:
                text += " Members are offered Apple Wallet passes from now on."
            if saved.hosted:
                self._server.use_hosted(saved.base_url)
            elif listener is not None:
                self._server.switch_to(listener, saved.base_url)
            else:
                self._server.announce(saved.base_url)
            self.changed.emit(saved)
            self.message.emit(text, "success")

        def failed(exc: Exception) -> None:
            if listener is not None:
                self._server.discard(listener)  # the old one still serves
            self._refuse(dialog, sentence(exc, "save the settings"))

        at_login, where = dialog.start_at_login.isChecked(), new_location or old_location
        actor = TillIdentity(self._prefs).actor()  # recorded with the change in the activity log
        certificate_file, certificate_password = dialog.wallet_certificate.text().strip(), dialog.wallet_password.text()

        def work():
            certificate = None  # a certificate chosen: checked before anything is saved
            if certificate_file:
                p12 = wallet.read_file(certificate_file)
                _, edited.wallet_pass_type_id, edited.wallet_team_id = wallet.check_certificate(
                    p12, certificate_password, edited.wallet_pass_type_id, edited.wallet_team_id
                )
                certificate = (p12, certificate_password)
            location, kept = (
                _try_database(where, password) if tried else (where, "")
            )  # a server that refuses: nothing is saved
            saved = settings.save(edited, actor)
            if certificate is not None:
                wallet.keep_certificate(*certificate, actor)
            if autostart.is_enabled() != at_login:
                autostart.set_enabled(at_login, store.without_password(location))  # a file others may read: no password
            return saved, location, kept, certificate is not None

        run_task(work, done, failed, context=self)

    def _refuse(self, dialog: SettingsDialog, text: str) -> None:
        if self._slot.dialog is dialog:
            dialog.show_refused(text)  # it stays open with everything typed
        else:
            self.message.emit(text, "error")
