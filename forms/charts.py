"""Small bar charts as PNG (Pillow), so the same picture goes into the report's page, its Word file and its PDF.
The Chinese labels need a CJK font: Noto Sans CJK (fonts-noto-cjk, installed by .ci/ensure-pdf.sh)."""

from __future__ import annotations

from functools import lru_cache
from io import BytesIO
from pathlib import Path

FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto", "/usr/share/fonts")
WIDTH, HEIGHT, SCALE = 800, 360, 1
BAR, AXIS, TEXT, GRID = (31, 79, 145), (90, 90, 90), (33, 33, 33), (225, 225, 225)


@lru_cache(maxsize=1)
def font_path() -> str | None:
    for folder in FONT_DIRS:
        found = sorted(Path(folder).glob("**/NotoSansCJK-Regular.ttc")) if Path(folder).is_dir() else []
        if found:
            return str(found[0])
    return None


def _font(size: int):
    from PIL import ImageFont

    path = font_path()
    return ImageFont.truetype(path, size) if path else ImageFont.load_default()


def bar_chart_png(title: str, labels: list[str], values: list[float | None], unit: str = "") -> bytes:
    """A bar per label (None: no data, no bar), the value written above it, a light grid; 800 x 360."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(img)
    title_font, small = _font(20), _font(14)
    draw.text((20, 12), f"{title}（{unit}）" if unit else title, fill=TEXT, font=title_font)
    left, right, top, bottom = 60, WIDTH - 20, 60, HEIGHT - 50
    known = [v for v in values if v is not None]
    peak = max(known) if known else 1.0
    peak = peak if peak > 0 else 1.0
    for i in range(5):  # the grid and its scale
        y = bottom - (bottom - top) * i / 4
        draw.line((left, y, right, y), fill=GRID)
        if known:
            draw.text((8, y - 8), f"{peak * i / 4:.0f}", fill=AXIS, font=small)
    draw.line((left, top, left, bottom), fill=AXIS)
    draw.line((left, bottom, right, bottom), fill=AXIS)
    slot = (right - left) / max(len(labels), 1)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x0 = left + slot * i + slot * 0.2
        x1 = left + slot * (i + 1) - slot * 0.2
        if value is not None:
            y = bottom - (bottom - top) * max(value, 0) / peak
            draw.rectangle((x0, y, x1, bottom), fill=BAR)
            draw.text(((x0 + x1) / 2, y - 4), f"{value:g}", fill=TEXT, font=small, anchor="mb")
        draw.text(((x0 + x1) / 2, bottom + 8), label, fill=TEXT, font=small, anchor="mt")
    if not known:
        draw.text((WIDTH / 2, (top + bottom) / 2), "暂无数据", fill=AXIS, font=title_font, anchor="mm")
    buf = BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()
