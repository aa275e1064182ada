"""Small inline-SVG charts (no JavaScript, no network) for the HTML report."""

from __future__ import annotations

from html import escape

WIDTH, HEIGHT, PAD = 640, 220, 36


def histogram(
    values: list[float], bins: int = 30, lines: dict[str, float] | None = None, unit: str = ""
) -> str:
    """A histogram of `values` with labelled vertical `lines` (e.g. threshold, review band)."""
    if not values:
        return "<p class='empty'>no values</p>"
    marks = list((lines or {}).values())
    lo, hi = min(values + marks), max(values + marks)
    hi = hi if hi > lo else lo + 1.0
    counts = [0] * bins
    for v in values:
        counts[min(int((v - lo) / (hi - lo) * bins), bins - 1)] += 1
    top = max(counts)
    bar_w = (WIDTH - 2 * PAD) / bins
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='{HEIGHT}' role='img'>"]
    for i, c in enumerate(counts):
        h = (HEIGHT - 2 * PAD) * c / top
        x, y = PAD + i * bar_w, HEIGHT - PAD - h
        parts.append(
            f"<rect x='{x:.1f}' y='{y:.1f}' width='{bar_w - 1:.1f}' height='{h:.1f}' fill='#4c78a8'/>"
        )
    colors = ["#d62728", "#ff7f0e", "#2ca02c", "#9467bd"]
    for i, (label, value) in enumerate((lines or {}).items()):
        x = PAD + (value - lo) / (hi - lo) * (WIDTH - 2 * PAD)
        color = colors[i % len(colors)]
        parts.append(
            f"<line x1='{x:.1f}' x2='{x:.1f}' y1='{PAD - 10}' y2='{HEIGHT - PAD}' stroke='{color}' "
            "stroke-width='2' stroke-dasharray='5,3'/>"
        )
        parts.append(
            f"<text x='{x + 3:.1f}' y='{PAD - 14 + 12 * i}' font-size='11' fill='{color}'>"
            f"{escape(label)} {value:.3g}</text>"
        )
    axis_y = HEIGHT - PAD
    parts.append(f"<line x1='{PAD}' x2='{WIDTH - PAD}' y1='{axis_y}' y2='{axis_y}' stroke='#333'/>")
    parts.append(f"<text x='{PAD}' y='{HEIGHT - 12}' font-size='11'>{lo:.3g}{escape(unit)}</text>")
    parts.append(
        f"<text x='{WIDTH - PAD}' y='{HEIGHT - 12}' font-size='11' text-anchor='end'>"
        f"{hi:.3g}{escape(unit)}</text>"
    )
    parts.append(f"<text x='4' y='{PAD}' font-size='11'>{top}</text></svg>")
    return "".join(parts)


def bars(items: list[tuple[str, float]], unit: str = "") -> str:
    """Horizontal bars, one per (label, value)."""
    if not items:
        return "<p class='empty'>nothing to show</p>"
    top = max(v for _, v in items) or 1
    row_h, label_w = 22, 200
    height = row_h * len(items) + 10
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='{height}' role='img'>"]
    for i, (label, value) in enumerate(items):
        y = 5 + i * row_h
        w = (WIDTH - label_w - 80) * value / top
        parts.append(
            f"<text x='{label_w - 6}' y='{y + 15}' font-size='12' text-anchor='end'>"
            f"{escape(label[:30])}</text>"
        )
        parts.append(f"<rect x='{label_w}' y='{y + 3}' width='{w:.1f}' height='{row_h - 6}' fill='#4c78a8'/>")
        parts.append(
            f"<text x='{label_w + w + 4:.1f}' y='{y + 15}' font-size='12'>{value:g}{escape(unit)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
