"""The till's screenshots, taken by make_screenshots: the till with Undo, the reason asked, and the
Activity window, after a shift's redemptions at "Till 2" are added to the demo database."""

from __future__ import annotations


def a_shift() -> None:
    """Redemptions at two tills by two people, one of them undone, and a batch paused at the office."""
    from app.core import activity, batches, claims, vouchers

    anna, ben = activity.Actor("Till 2", "Anna"), activity.Actor("Till 1", "Ben")
    summary = batches.list_batches()[-1]
    held = vouchers.page(summary.id, status="claimed", limit=6)
    for n, voucher in enumerate(held):
        claims.redeem(voucher.code, anna if n % 3 else ben)
    claims.undo_redemption(held[2].code, "scanned by mistake", anna)
    batches.pause_batch(batches.list_batches()[0].id, activity.Actor("Office", "Maria"))


def take(window, shown, settle, save, tag: str) -> None:
    from app.core import activity
    from app.gui.dialogs.activity import ActivityDialog
    from app.gui.dialogs.find_voucher import FindVoucherDialog
    from app.gui.dialogs.till_panel import TillPanel
    from app.gui.dialogs.undo import UndoDialog

    window.till_identity.set_till("Till 2")
    window.till_identity.set_staff("Anna")
    code = activity.last_redemptions("Till 2", 1)[0].entry.code
    window.till.find(code)
    settle(lambda: shown(FindVoucherDialog) is not None and shown(FindVoucherDialog).detail is not None)
    finder = shown(FindVoucherDialog)
    finder.resize(640, finder.height())
    settle(lambda: finder.undo_button.isVisible() and len(finder.findChild(TillPanel).redemptions) == 4)
    save(finder, f"till-undo{tag}")
    finder.undo_button.click()
    settle(lambda: shown(UndoDialog) is not None)
    undo = shown(UndoDialog)
    undo.reason.setCurrentIndex(1)
    settle()
    save(undo, f"undo-reason{tag}")
    undo.reject()
    finder.close()

    window.activity_action.trigger()
    settle(lambda: shown(ActivityDialog) is not None and shown(ActivityDialog).model.rowCount() > 10)
    log = shown(ActivityDialog)
    log.resize(1100, 560)
    settle()
    save(log, f"activity{tag}")
    log.close()
