"""Settings: the store's name and time zone, the public base URL of claim links, where the claim site
runs and its host and port (kept in the database, shared with the claim site) and the database
location with its password (kept on this PC; the password never in QSettings). The dialog reports what
was typed; its controller saves it, and the dialog closes only once saved."""

from __future__ import annotations

import dataclasses
from typing import cast

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.links import GUIDE, OK, PROBLEM, Verdict
from app.core.settings import DEFAULT_ACCENT, HOSTED, LOCAL, MAX_UNDO_DAYS, Settings
from app.gui.kit import style
from app.gui.kit.widgets import Notice

PC_ZONE = "This PC's time zone"
ON_THIS_PC = "on this PC"
DATABASE_HINT = "A file, or a server's address: postgresql://user@host:5432/vouchers"


def hosted_text(url: str) -> str:
    return f"hosted at {url.strip().rstrip('/')}" if url.strip() else "hosted at the public base URL (set it above)"


class SettingsDialog(QDialog):
    save_requested = Signal(object, str)  # (the core Settings as typed, database location for the next start)
    guide_requested = Signal()  # the guide "Share links that work anywhere"
    browse_requested = Signal()  # Choose… for the database: its controller asks for the file
    phone_check_requested = Signal()  # "Check with a phone…": a QR code that turns green when a phone opens it
    wallet_browse_requested = Signal()  # Choose… for the Apple Wallet certificate

    def __init__(
        self,
        current: Settings,
        db_location: str,
        zones: list[str],
        parent: QWidget | None = None,
        *,
        link: Verdict | None = None,
        starts_at_login: bool = False,
        last_backup: str = "",
        till: tuple[str, str] = ("", ""),
        password_kept: str = "",
        wallet_status: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("SettingsDialog")
        self.setWindowTitle("Settings")
        self._current = current
        self.store_name = QLineEdit(current.store_name)
        self.time_zone = QComboBox()
        self.time_zone.setAccessibleName("Time zone")
        self.time_zone.setEditable(True)  # hundreds of names: type a part of one
        self.time_zone.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.time_zone.addItem(PC_ZONE)
        self.time_zone.addItems(zones)
        completer = QCompleter(self.time_zone.model(), self.time_zone)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.time_zone.setCompleter(completer)
        self.time_zone.setCurrentText(current.time_zone or PC_ZONE)
        self._zones = {name.casefold(): name for name in (PC_ZONE, *zones)}  # what the field accepts
        zone_hint = QLabel("Times in this window, on the claim page and in exports are the store's local time.")
        zone_hint.setObjectName("Hint")
        zone_hint.setWordWrap(True)
        self.base_url = QLineEdit(current.public_base_url)
        self.base_url.setPlaceholderText(f"empty: {Settings(port=current.port).base_url}")
        base_hint = QLabel("The address printed in claim links and QR codes, e.g. https://yoursite.com")
        base_hint.setObjectName("Hint")
        base_hint.setWordWrap(True)
        self.link_notice = Notice()
        self.link_notice.setVisible(link is not None and link.status != OK)
        if link is not None and link.status != OK:
            self.link_notice.say(f"{link.message} {link.fix}", "error" if link.status == PROBLEM else "warning")
        self.guide_button = QPushButton(GUIDE)
        self.guide_button.setAutoDefault(False)
        self.guide_button.clicked.connect(self.guide_requested)
        self.phone_button = QPushButton("Check with a phone…")
        self.phone_button.setAutoDefault(False)
        self.phone_button.setToolTip("Scan a QR code with a phone on the shop's Wi-Fi: does it reach the claim site?")
        self.phone_button.clicked.connect(self.phone_check_requested)
        self.host = QLineEdit(current.host)
        self.host.setPlaceholderText("0.0.0.0 (every network of this PC)")
        named_till, host_name = till
        self.till_name = QLineEdit(named_till)
        self.till_name.setPlaceholderText(f"{host_name} (this PC's name)")
        self.till_name.setToolTip("Recorded with every redemption and undo made at this PC")
        self.undo_days = QSpinBox()
        self.undo_days.setRange(1, MAX_UNDO_DAYS)
        self.undo_days.setValue(int(current.undo_days))
        self.undo_days.setSuffix(" days after the redemption")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(int(current.port))
        self.on_this_pc = QRadioButton(ON_THIS_PC)
        self.hosted = QRadioButton(hosted_text(current.public_base_url))
        self._claim_site = QButtonGroup(self)
        self._claim_site.addButton(self.on_this_pc)
        self._claim_site.addButton(self.hosted)
        (self.hosted if current.hosted else self.on_this_pc).setChecked(True)
        self.hosted.setToolTip(
            "A server of its own runs the claim site: this window starts none and asks it every 15 s whether it answers"
        )
        self.base_url.textChanged.connect(lambda text: self.hosted.setText(hosted_text(text)))
        self.hosted.toggled.connect(self._on_claim_site_toggled)
        self.database = QLineEdit(db_location)
        self.database.setPlaceholderText(DATABASE_HINT)
        self.database.setToolTip(DATABASE_HINT)
        self.browse_button = browse = QPushButton("Choose…")
        browse.setAutoDefault(False)
        browse.clicked.connect(self.browse_requested)
        self.db_password = QLineEdit()
        self.db_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.db_password.setAccessibleName("Database password")
        self.db_password.setPlaceholderText(
            f"kept in {password_kept}; type a new one to replace it"
            if password_kept
            else "the server's password for that user"
        )
        self.database.textChanged.connect(self._on_database_typed)
        db_hint = QLabel(
            "A new database is used from the next start. A server's password is kept in the keyring or a file "
            "only you can read, never in the settings."
        )
        db_hint.setObjectName("Hint")
        db_hint.setWordWrap(True)
        self.logo = QLineEdit(current.logo_path)
        self.logo.setPlaceholderText("a PNG or SVG file printed on the signage; empty: none")
        self.accent = QLineEdit(current.accent_color)
        self.accent.setPlaceholderText(f"{DEFAULT_ACCENT} (the signage's offer and bands)")
        self.start_at_login = QCheckBox("Start when I log in")
        self.start_at_login.setChecked(starts_at_login)
        login_hint = QLabel("Claim links work only while Voucher Batches runs: closing the window keeps them working.")
        login_hint.setObjectName("Hint")
        login_hint.setWordWrap(True)
        self.last_backup = QLabel(last_backup)
        self.last_backup.setObjectName("Hint")
        self.last_backup.setWordWrap(True)
        # Apple Wallet: the store's certificate (a .p12 read when saved; its password kept like the database's)
        self.wallet_status = QLabel(wallet_status)
        self.wallet_status.setObjectName("Hint")
        self.wallet_status.setWordWrap(True)
        self.wallet_certificate = QLineEdit()
        self.wallet_certificate.setAccessibleName("Apple Wallet certificate")
        self.wallet_certificate.setPlaceholderText("a .p12 file: the store's Pass Type ID certificate with its key")
        self.wallet_browse_button = wallet_browse = QPushButton("Choose…")
        wallet_browse.setAutoDefault(False)
        wallet_browse.clicked.connect(self.wallet_browse_requested)
        self.wallet_password = QLineEdit()
        self.wallet_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.wallet_password.setAccessibleName("Certificate password")
        self.wallet_password.setPlaceholderText("the .p12 file's password, kept like the database's")
        self.wallet_pass_type_id = QLineEdit(current.wallet_pass_type_id)
        self.wallet_pass_type_id.setPlaceholderText("pass.com.yourstore.vouchers (empty: the certificate's)")
        self.wallet_team_id = QLineEdit(current.wallet_team_id)
        self.wallet_team_id.setPlaceholderText("10 letters and digits (empty: the certificate's)")
        self.notice = Notice()
        self.notice.hide()

        database_row = QHBoxLayout()
        database_row.addWidget(self.database, 1)
        database_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Store name", self.store_name)
        form.addRow("Time zone", self.time_zone)
        form.addRow("", zone_hint)
        form.addRow("Public base URL", self.base_url)
        form.addRow("", base_hint)
        form.addRow("", self.link_notice)
        form.addRow("", self.guide_button)
        claim_site = QHBoxLayout()
        claim_site.addWidget(self.on_this_pc)
        claim_site.addWidget(self.hosted, 1)
        form.addRow("Claim site", claim_site)
        form.addRow("Claim site host", self.host)
        form.addRow("Claim site port", self.port)
        form.addRow("", self.phone_button)
        form.addRow("Till name", self.till_name)
        form.addRow("Undo a redemption", self.undo_days)
        form.addRow("Signage logo", self.logo)
        form.addRow("Accent colour", self.accent)
        form.addRow("Database", database_row)
        form.addRow("Database password", self.db_password)
        form.addRow("", db_hint)
        form.addRow("Last backup", self.last_backup)
        wallet_row = QHBoxLayout()
        wallet_row.addWidget(self.wallet_certificate, 1)
        wallet_row.addWidget(wallet_browse)
        form.addRow("Apple Wallet", self.wallet_status)
        form.addRow("Wallet certificate", wallet_row)
        form.addRow("Certificate password", self.wallet_password)
        form.addRow("Pass Type ID", self.wallet_pass_type_id)
        form.addRow("Team ID", self.wallet_team_id)
        form.addRow("", self.start_at_login)
        form.addRow("", login_hint)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._on_save)
        self.buttons.rejected.connect(self.reject)
        general = QWidget()
        general.setObjectName("GeneralPage")
        general.setLayout(form)
        self.tabs = QTabWidget()
        self.tabs.addTab(general, "General")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addWidget(self.tabs)
        layout.addWidget(self.notice)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)
        self.setWindowIcon(style.icon("settings"))
        self._on_claim_site_toggled(self.hosted.isChecked())
        self._on_database_typed(self.database.text())

    def add_page(self, page: QWidget, title: str) -> None:
        """A page of its own beside General (Scanner, Point of sale): it acts by itself, Save is General's."""
        self.tabs.addTab(page, title)
        self.setMinimumWidth(max(self.minimumWidth(), 760))

    def show_page(self, title: str) -> None:
        for index in range(self.tabs.count()):
            if self.tabs.tabText(index) == title:
                self.tabs.setCurrentIndex(index)

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        self._fit()

    def _fit(self) -> None:
        """Tall enough for every wrapped hint and notice at this width (Qt sizes a dialog by its
        widest lines, which squeezes the wrapped ones into each other)."""
        needed = cast(QLayout, self.layout()).heightForWidth(self.width())  # (set when it was made)
        if needed > self.height():
            self.resize(self.width(), needed)

    def _on_claim_site_toggled(self, hosted: bool) -> None:
        """This PC's listening address matters only when the claim site runs here."""
        self.host.setEnabled(not hosted)
        self.port.setEnabled(not hosted)

    def _on_database_typed(self, text: str) -> None:
        """A file has no password; a server's address may need one."""
        self.db_password.setEnabled("://" in text and not text.strip().startswith("sqlite"))

    def choose_database(self, path: str) -> None:
        """A database file chosen with Choose…"""
        self.database.setText(path)

    def chosen_zone(self) -> str | None:
        """The zone as listed for what is typed (any case), or None when it is not one of the list's."""
        return self._zones.get(self.time_zone.currentText().strip().casefold())

    def _on_save(self) -> None:
        """Only a zone from the list is saved: half-typed text is said, never stored."""
        zone = self.chosen_zone()
        if zone is None:
            typed = self.time_zone.currentText().strip()
            self.show_refused(
                f"“{typed}” is not a time zone from the list: choose one (type part of its name, such as Paris, "
                f"to find it), or “{PC_ZONE}”."
            )
            self.time_zone.setFocus()
            return
        self.time_zone.setCurrentText(zone)
        self.save_requested.emit(self.edited(), self.database.text().strip())

    def choose_wallet_certificate(self, path: str) -> None:
        self.wallet_certificate.setText(path)
        self.wallet_password.setFocus()

    def edited(self) -> Settings:
        """The settings as typed; the core checks them when they are saved."""
        zone = self.chosen_zone() or self.time_zone.currentText().strip()
        return dataclasses.replace(
            self._current,
            store_name=self.store_name.text(),
            time_zone="" if zone == PC_ZONE else zone,
            public_base_url=self.base_url.text(),
            host=self.host.text(),
            port=self.port.value(),
            logo_path=self.logo.text(),
            accent_color=self.accent.text(),
            undo_days=self.undo_days.value(),
            claim_site=HOSTED if self.hosted.isChecked() else LOCAL,
            wallet_pass_type_id=self.wallet_pass_type_id.text(),
            wallet_team_id=self.wallet_team_id.text(),
        )

    def show_saving(self) -> None:
        self.buttons.setEnabled(False)
        self.notice.hide()

    def show_refused(self, sentence: str) -> None:
        """Not saved: the core's reason; everything typed stays."""
        self.buttons.setEnabled(True)
        self.notice.say(sentence, "error")
        self._fit()
