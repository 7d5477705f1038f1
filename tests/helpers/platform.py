"""Which Windows the tests run on."""

from __future__ import annotations

import sys


def _under_wine() -> bool:
    """Windows CPython running under Wine (the Windows pass, tools/windows/test.sh), not on Windows itself."""
    if sys.platform != "win32":
        return False
    import ctypes

    return hasattr(ctypes.windll.ntdll, "wine_get_version")


UNDER_WINE = _under_wine()
