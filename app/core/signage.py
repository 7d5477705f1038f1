"""QR signage as pure data: what goes where on a poster, flyer, counter tent or sheet of handout cards.

One description per page, in points (1/72 inch) from the top left. The renderer (app/render/painting)
draws it onto any QPainter, so the preview, the printer and the PDF are one drawing. Boxes state
their fit rule (a size to start from, a size to shrink to, how many lines it may wrap to); the
renderer measures the text and applies it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.core.store.models import Template

from . import batches, settings, templates
from .qr import QUIET_ZONE, qr_modules
from .store import guarded

MM = 72 / 25.4  # points per millimetre
PAPERS = {"a4": (595.0, 842.0), "letter": (612.0, 792.0), "a5": (420.0, 595.0)}
POSTERS = ("a4", "letter", "a5")  # the poster's paper is its layout
LAYOUTS = ("a4", "letter", "a5", "a6-tent", "4-up", "8-up")
LAYOUT_NAMES = {
    "a4": "A4 poster",
    "letter": "Letter poster",
    "a5": "A5 flyer",
    "a6-tent": "Counter tent (A4 folded)",
    "4-up": "4 handout cards a sheet",
    "8-up": "8 handout cards a sheet",
}
MIN_QR_POSTER = 30 * MM  # the code's own width, without its quiet zone
MIN_QR_CARD = 20 * MM
SHEET_MARGIN = 18.0  # what most printers cannot print on, around tiled cards
CALL_TO_ACTION = "Scan to claim your voucher"
INK, MUTED, ACCENT, WHITE = "#1b1f24", "#57606a", "accent", "#ffffff"
RULE_GREY = "#9aa0a6"


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def bottom(self) -> float:
        return self.y + self.h


@dataclass(frozen=True)
class Text:
    """A run of text and the rule that fits it in its box: the largest size from `size` down to
    `min_size` at which it fits (wrapped at words onto at most `max_lines`); past that it keeps
    shrinking, never clipped. `anywhere` lets a link break between any two characters."""

    role: str  # store, title, offer, minimum, description, cta, url, validity, terms, fold
    text: str
    box: Box
    size: float
    min_size: float
    bold: bool = False
    color: str = INK
    align: str = "center"  # center or left
    max_lines: int = 2
    anywhere: bool = False


@dataclass(frozen=True)
class QrCode:
    """The claim link's modules (quiet zone included), drawn as squares filling `box`."""

    box: Box
    modules: tuple[tuple[bool, ...], ...]
    quiet: int = QUIET_ZONE

    @property
    def module(self) -> float:
        return self.box.w / len(self.modules)

    @property
    def code_width(self) -> float:
        """The code's own width in points, without its quiet zone."""
        return self.module * (len(self.modules) - 2 * self.quiet)


@dataclass(frozen=True)
class Rule:
    """A filled bar (the accent band)."""

    box: Box
    color: str = ACCENT


@dataclass(frozen=True)
class Logo:
    box: Box  # the logo keeps its proportions inside it, centred
    path: str


Item = Text | QrCode | Rule | Logo  # what a panel holds


@dataclass(frozen=True)
class Panel:
    """One copy of the sign: its items in the panel's own coordinates; a panel turned upside down
    (the tent's back) is drawn rotated 180° about its centre."""

    box: Box
    items: tuple[Item, ...]
    upside_down: bool = False

    def qr(self) -> QrCode:
        return next(item for item in self.items if isinstance(item, QrCode))


@dataclass(frozen=True)
class Mark:
    """A cut or fold line, in page coordinates."""

    kind: str  # cut or fold
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    paper: str  # a4, letter, a5, or "custom"
    panels: tuple[Panel, ...]
    marks: tuple[Mark, ...] = ()
    texts: tuple[Text, ...] = ()  # page-level labels ("fold here")
    accent: str = settings.DEFAULT_ACCENT
    min_qr: float = MIN_QR_POSTER


@dataclass(frozen=True)
class SignContent:
    """What a sign says, gathered from the batch, its offer and the store's settings."""

    store_name: str
    title: str
    discount: str
    minimum: str
    validity: str
    terms: str
    description: str
    url: str
    logo_path: str = ""
    accent: str = settings.DEFAULT_ACCENT
    modules: tuple[tuple[bool, ...], ...] = field(default=(), repr=False)


@guarded
def content_for(batch_id: int) -> SignContent:
    """A batch's sign, with its stable public claim link (fixed now if it was not yet)."""
    config = settings.choose_claim_base()
    summary = batches.get_batch(batch_id)
    offer = templates.describe_offer(Template.get_by_id(summary.template_id), config.currency)
    return make_content(
        store_name=config.store_name,
        title=summary.title,
        offer=offer,
        description=summary.description,
        url=summary.claim_url,
        logo_path=config.logo_path,
        accent=config.accent_color,
    )


def make_content(
    store_name: str,
    title: str,
    offer: dict[str, str],
    description: str,
    url: str,
    logo_path: str = "",
    accent: str = "",
) -> SignContent:
    return SignContent(
        store_name=store_name,
        title=title,
        discount=templates.discount_line(title, offer["discount"]),  # "" when the title says it
        minimum=offer["min_purchase"],
        validity=offer["expiry"],
        terms=offer["terms"],
        description=description,
        url=url,
        logo_path=logo_path,
        accent=accent or settings.DEFAULT_ACCENT,
        modules=qr_modules(url),
    )


def small_print(content: SignContent) -> str:
    return f"{content.validity}. {content.terms}".strip() if content.terms else f"{content.validity}."


# -- layouts -------------------------------------------------------------------------------------


def _header(c: SignContent, box: Box, size: float, min_size: float, align: str) -> list[Item]:
    """The store's name, after its logo when there is one (the logo up to 1.6 times as wide as high)."""
    if not c.logo_path:
        return [Text("store", c.store_name, box, size, min_size, True, MUTED, align, 1)]
    logo_w = box.h * 1.6
    name = Box(box.x + logo_w + 0.2 * box.h, box.y, box.w - logo_w - 0.2 * box.h, box.h)
    return [
        Logo(Box(box.x, box.y, logo_w, box.h), c.logo_path),
        Text("store", c.store_name, name, size, min_size, True, MUTED, "left", 1),
    ]


def _portrait(c: SignContent, w: float, h: float) -> tuple[Item, ...]:
    """Poster, flyer and 4-up card: one column, the QR code taking what the text leaves."""
    m = 0.07 * w
    inner = w - 2 * m
    u = min(w, h / 2**0.5)  # type scales with the paper's A-series width: Letter is wider for its height
    items: list[Item] = [Rule(Box(0, 0, w, 0.018 * h))]
    y = 0.018 * h + 0.025 * h
    head = 0.05 * h
    items += _header(c, Box(m, y, inner, head), 0.042 * u, 0.025 * u, "center")
    y += head + 0.01 * h

    def add(
        role: str,
        text: str,
        height: float,
        size: float,
        min_size: float,
        bold: bool = False,
        color: str = INK,
        lines: int = 2,
        anywhere: bool = False,
    ) -> None:
        nonlocal y
        items.append(
            Text(
                role, text, Box(m, y, inner, height * h), size * u, min_size * u, bold, color, "center", lines, anywhere
            )
        )
        y += height * h

    add("title", c.title, 0.12, 0.085, 0.045, True, lines=3)
    if c.discount:
        add("offer", c.discount, 0.11, 0.13, 0.06, True, ACCENT, lines=1)
    add("minimum", c.minimum, 0.035, 0.04, 0.025)
    if c.description:
        add("description", c.description, 0.07, 0.032, 0.02, lines=3)
    y += 0.01 * h
    bottom_text = 0.045 + 0.04 + 0.06  # cta, url, validity and terms
    side = min(0.56 * w, h * (1 - bottom_text) - y - 0.02 * h)
    items.append(QrCode(Box((w - side) / 2, y, side, side), c.modules))
    y += side
    add("cta", CALL_TO_ACTION, 0.045, 0.055, 0.03, True, lines=1)
    add("url", c.url, 0.04, 0.028, 0.017, False, MUTED, lines=1, anywhere=True)
    add("validity", small_print(c), 0.06, 0.026, 0.016, False, MUTED, lines=3)
    return tuple(items)


def _landscape(c: SignContent, w: float, h: float) -> tuple[Item, ...]:
    """Counter tent face and 8-up card: the offer on the left, the QR code on the right."""
    m = 0.05 * w
    band = 0.03 * h
    items: list[Item] = [Rule(Box(0, 0, w, band))]
    top = band + 0.05 * h
    url_h = 0.09 * h
    side = min(0.40 * w, h - top - url_h - 0.12 * h - m * 0.5)
    right = w - m - side
    items.append(
        Text(
            "cta",
            CALL_TO_ACTION,
            Box(right - 0.05 * w, top, side + 0.05 * w, 0.1 * h),
            0.036 * w,
            0.022 * w,
            True,
            INK,
            "center",
            1,
        )
    )
    items.append(QrCode(Box(right, top + 0.11 * h, side, side), c.modules))
    items.append(
        Text(
            "url",
            c.url,
            Box(m, h - m * 0.5 - url_h, w - 2 * m, url_h),
            0.022 * w,
            0.016 * w,
            False,
            MUTED,
            "center",
            2,
            True,
        )
    )
    col = right - 0.04 * w - m
    y = top
    head = 0.1 * h
    items += _header(c, Box(m, y, col, head), 0.03 * w, 0.018 * w, "left")
    y += head + 0.01 * h
    rows = [("title", c.title, 0.2, 0.055, 0.03, True, INK, 3)]
    if c.discount:
        rows.append(("offer", c.discount, 0.2, 0.1, 0.04, True, ACCENT, 1))
    rows.append(("minimum", c.minimum, 0.07, 0.028, 0.018, False, INK, 1))
    if c.description:
        rows.append(("description", c.description, 0.1, 0.024, 0.015, False, INK, 2))
    rows.append(("validity", small_print(c), 0.0, 0.021, 0.014, False, MUTED, 3))
    for role, text, share, size, min_size, bold, color, lines in rows:
        height = share * h if share else (h - m * 0.5 - url_h - 0.01 * h) - y
        items.append(Text(role, text, Box(m, y, col, height), size * w, min_size * w, bold, color, "left", lines))
        y += height
    return tuple(items)


def _panel(c: SignContent, box: Box, upside_down: bool = False) -> Panel:
    draw = _portrait if box.h >= box.w else _landscape
    return Panel(box, draw(c, box.w, box.h), upside_down)


def _grid(
    c: SignContent, width: float, height: float, cols: int, rows: int
) -> tuple[tuple[Panel, ...], tuple[Mark, ...]]:
    """Cards tiled inside the printable margin, with short cut marks in the margin and at the corners."""
    cw, ch = (width - 2 * SHEET_MARGIN) / cols, (height - 2 * SHEET_MARGIN) / rows
    panels = tuple(
        _panel(c, Box(SHEET_MARGIN + i * cw, SHEET_MARGIN + j * ch, cw, ch)) for j in range(rows) for i in range(cols)
    )
    tick = 8.0
    marks = []
    for i in range(cols + 1):
        x = SHEET_MARGIN + i * cw
        marks += [
            Mark("cut", x, SHEET_MARGIN - tick - 2, x, SHEET_MARGIN - 2),
            Mark("cut", x, height - SHEET_MARGIN + 2, x, height - SHEET_MARGIN + tick + 2),
        ]
    for j in range(rows + 1):
        y = SHEET_MARGIN + j * ch
        marks += [
            Mark("cut", SHEET_MARGIN - tick - 2, y, SHEET_MARGIN - 2, y),
            Mark("cut", width - SHEET_MARGIN + 2, y, width - SHEET_MARGIN + tick + 2, y),
        ]
    for i in range(1, cols):
        for j in range(1, rows):
            x, y = SHEET_MARGIN + i * cw, SHEET_MARGIN + j * ch
            marks += [Mark("cut", x - 4, y, x + 4, y), Mark("cut", x, y - 4, x, y + 4)]
    return panels, tuple(marks)


def layout(content: SignContent, name: str = "a4", paper: str = "a4") -> Page:
    """The page of a layout: the posters' paper is their layout; the tent and cards go on `paper`."""
    if name not in LAYOUTS:
        raise ValueError(f"unknown layout {name!r}; choose one of: {', '.join(LAYOUTS)}")
    if name in POSTERS:
        paper = name
    elif paper not in ("a4", "letter"):
        raise ValueError(f"unknown paper {paper!r}; choose a4 or letter")
    width, height = PAPERS[paper]
    common: dict[str, Any] = {"paper": paper, "accent": content.accent}
    if name in POSTERS:
        return Page(width, height, panels=(_panel(content, Box(0, 0, width, height)),), min_qr=MIN_QR_POSTER, **common)
    if name == "a6-tent":
        half = height / 2
        inset = SHEET_MARGIN
        back = _panel(content, Box(inset, inset, width - 2 * inset, half - 2 * inset), upside_down=True)
        front = _panel(content, Box(inset, half + inset, width - 2 * inset, half - 2 * inset))
        fold = Text("fold", "fold here", Box(width - 70, half - 12, 62, 10), 6.5, 6.5, False, RULE_GREY, "center", 1)
        return Page(
            width,
            height,
            panels=(back, front),
            marks=(Mark("fold", 0, half, width, half),),
            texts=(fold,),
            min_qr=MIN_QR_CARD,
            **common,
        )
    cols, rows = (2, 2) if name == "4-up" else (2, 4)
    panels, marks = _grid(content, width, height, cols, rows)
    return Page(width, height, panels=panels, marks=marks, min_qr=MIN_QR_CARD, **common)


def qr_page(url: str, side_mm: float = 60.0) -> Page:
    """A page that is only the QR code with its quiet zone, for print shops (Download QR as PDF)."""
    side = side_mm * MM
    code = QrCode(Box(0, 0, side, side), qr_modules(url))
    return Page(side, side, "custom", panels=(Panel(Box(0, 0, side, side), (code,)),), min_qr=0)
