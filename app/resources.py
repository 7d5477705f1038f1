"""Where the shipped files (templates, CSS, icons, style sheets) are: from a checkout, an install or a bundle."""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def resources_dir() -> Path:
    """The resources/ folder of a checkout, the installed copy (package app.resources_data), or a bundle's."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    checkout = Path(__file__).resolve().parent.parent / "resources"
    if checkout.is_dir():
        return checkout
    installed = Path(__file__).resolve().parent / "resources_data"
    return installed


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
