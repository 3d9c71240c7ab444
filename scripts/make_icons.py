"""Draw the app icon (favicon.svg: a white check on a green rounded square) as the PNG sizes
browsers ask an installable app for, with the standard library only.

    python scripts/make_icons.py    # writes httracker/static/icons/*.png
"""

import math
import struct
import zlib
from pathlib import Path

GREEN = (0x23, 0x66, 0x52)
WHITE = (0xFF, 0xFF, 0xFF)
# The check mark of favicon.svg in its 32-unit box: M8 17 l5 5 11-12, stroke 3.5.
CHECK = ((8, 17), (13, 22), (24, 10))
STROKE = 3.5
OUT = Path(__file__).resolve().parent.parent / "httracker" / "static" / "icons"


def segment_distance(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def rounded_inside(x, y, size, radius):
    """Coverage (0..1) of a rounded square of `size` with corner `radius` at pixel centre."""
    cx = min(max(x, radius), size - radius)
    cy = min(max(y, radius), size - radius)
    distance = math.hypot(x - cx, y - cy)
    return max(0.0, min(1.0, radius - distance + 0.5))


def pixel(x, y, size, maskable):
    unit = size / 32
    scale = 0.8 if maskable else 1.0  # a maskable icon keeps its mark in the safe zone
    ux = ((x / unit) - 16) / scale + 16
    uy = ((y / unit) - 16) / scale + 16
    alpha = 1.0 if maskable else rounded_inside(x, y, size, 7 * unit)
    distance = min(
        segment_distance(ux, uy, *CHECK[i], *CHECK[i + 1]) for i in range(len(CHECK) - 1)
    )
    ink = max(0.0, min(1.0, (STROKE / 2 - distance) * unit / scale + 0.5))
    colour = [round(g + (w - g) * ink) for g, w in zip(GREEN, WHITE, strict=True)]
    return (*colour, round(alpha * 255))


def png(size: int, maskable: bool = False) -> bytes:
    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(x + 0.5, y + 0.5, size, maskable)) for x in range(size))
        for y in range(size)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for name, size, maskable in (
        ("icon-192.png", 192, False),
        ("icon-512.png", 512, False),
        ("icon-maskable-512.png", 512, True),
        ("apple-touch-icon.png", 180, True),
    ):
        (OUT / name).write_bytes(png(size, maskable))
