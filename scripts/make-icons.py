#!/usr/bin/env python3
# Draws the app's icons (web/icon-192.png, web/icon-512.png; web/icon.svg is the same drawing by
# hand): a handwritten "7" in white on the app's blue, on a rounded square. Standard library only.
import math, os, struct, zlib

BLUE, WHITE = (41, 73, 127), (255, 255, 255)
# The "7" as strokes in a 1×1 box: top bar, then the long diagonal, and a short crossbar.
STROKES = [((0.27, 0.28), (0.73, 0.28)), ((0.73, 0.28), (0.44, 0.78)), ((0.45, 0.53), (0.66, 0.53))]

def dist_seg(px, py, a, b):
    dx, dy = b[0] - a[0], b[1] - a[1]
    t = max(0.0, min(1.0, ((px - a[0]) * dx + (py - a[1]) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - a[0] - t * dx, py - a[1] - t * dy)

def icon(n):
    rows, r_corner, width = [], 0.18 * n, 0.075 * n
    for y in range(n):
        row = bytearray([0])
        for x in range(n):
            cx, cy = x + 0.5, y + 0.5
            # rounded-square coverage (anti-aliased by distance)
            qx, qy = max(abs(cx - n / 2) - (n / 2 - r_corner), 0), max(abs(cy - n / 2) - (n / 2 - r_corner), 0)
            bg = max(0.0, min(1.0, r_corner - math.hypot(qx, qy) + 0.5))
            d = min(dist_seg(cx / n, cy / n, a, b) for a, b in STROKES) * n
            ink = max(0.0, min(1.0, width - d + 0.5))
            rgb = [round(BLUE[i] * (1 - ink) + WHITE[i] * ink) for i in range(3)]
            row += bytes(rgb + [round(255 * bg)])
        rows.append(bytes(row))
    def chunk(tag, data):
        return struct.pack('>I', len(data)) + tag + data + struct.pack('>I', zlib.crc32(tag + data))
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', n, n, 8, 6, 0, 0, 0)) +
            chunk(b'IDAT', zlib.compress(b''.join(rows), 9)) + chunk(b'IEND', b''))

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'web')
for n in (192, 512):
    open(os.path.join(here, f'icon-{n}.png'), 'wb').write(icon(n))
