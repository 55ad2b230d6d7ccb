"""One failover per stack drawn as an SVG timeline, for `holdfast-lab bench failover --svg FILE`: the
failure, Corosync's detection, the fence agents' runs, the resource agents' starts and the moment every
resource runs again, on one time axis so the stacks compare at a glance. Plain SVG text (no plotting
library), readable on GitHub and in a browser."""
import textwrap
from xml.sax.saxutils import escape

WIDTH, LEFT, RIGHT = 1000, 230, 130
LANE, TOP, AXIS = 24, 48, 34
COLOURS = {"detect": "#9aa5b1", "fence": "#d9822b", "fence_failed": "#c23030", "disk": "#2b95d6", "vm": "#0f9960",
           "fail": "#c23030", "end": "#0f9960"}


def _ticks(tmax):
    step = next(s for s in (0.25, 0.5, 1, 2, 5, 10, 20) if tmax / s <= 14)
    n = int(tmax / step) + 1
    return [i * step for i in range(n)]


def _bar(x0, x1, y, colour, label):
    w = max(2.0, x1 - x0)
    return (f'<rect x="{x0:.1f}" y="{y + 4}" width="{w:.1f}" height="{LANE - 8}" fill="{colour}" rx="2"/>'
            f'<text x="{x0 + w + 6:.1f}" y="{y + LANE / 2 + 4}" font-size="11">{escape(label)}</text>')


def _lanes(timeline):
    """(lane label, [(start, end, colour, label)]) for one run, in seconds from the failure."""
    lanes = [("Corosync: failure -> detection", [(0.0, timeline["detect"], COLOURS["detect"],
                                                  f"{timeline['detect'] * 1000:.0f} ms")])]
    fences = [(s, e, COLOURS["fence" if rc == 0 else "fence_failed"],
               f"{a.replace('fence_bench_', '')} {(e - s) * 1000:.0f} ms{'' if rc == 0 else ' (failed)'}")
              for s, e, rc, a in timeline["fence"]]
    lanes.append(("fence agent (off)", fences))
    for r in sorted(timeline["starts"], key=lambda r: (r[-1], r[:-1])):
        s, e, node = timeline["starts"][r]
        lanes.append((f"{r} start", [(s, e, COLOURS["disk" if r.startswith("disk") else "vm"],
                                      f"{(e - s) * 1000:.0f} ms on {node}")]))
    return lanes


def _panel(y, title, timeline, x):
    lanes = _lanes(timeline)
    height = TOP + LANE * len(lanes) + AXIS
    out = [f'<text x="12" y="{y + 22}" font-size="14" font-weight="bold">{escape(title)}</text>']
    for i, (label, bars) in enumerate(lanes):
        ly = y + TOP + i * LANE
        if i % 2 == 0:
            out.append(f'<rect x="{LEFT}" y="{ly}" width="{WIDTH - LEFT - RIGHT}" height="{LANE}" fill="#f5f8fa"/>')
        out.append(f'<text x="{LEFT - 8}" y="{ly + LANE / 2 + 4}" font-size="11" text-anchor="end">'
                   f'{escape(label)}</text>')
        out += [_bar(x(s), x(e), ly, c, text) for s, e, c, text in bars]
    bottom = y + TOP + LANE * len(lanes)
    marks = [(0.0, COLOURS["fail"], "failure"), (timeline["detect"], COLOURS["detect"], "detected"),
             (timeline["end"], COLOURS["end"], f"all running {timeline['end'] * 1000:.0f} ms")]
    for t, colour, label in marks:
        out.append(f'<line x1="{x(t):.1f}" y1="{y + TOP - 14}" x2="{x(t):.1f}" y2="{bottom}" stroke="{colour}" '
                   f'stroke-width="1.5" stroke-dasharray="4 3"/>'
                   f'<text x="{x(t):.1f}" y="{y + TOP - 18}" font-size="11" fill="{colour}" text-anchor="middle">'
                   f'{escape(label)}</text>')
    return out, height, bottom


def _axis(bottom, ticks, x):
    out = [f'<line x1="{LEFT}" y1="{bottom}" x2="{WIDTH - RIGHT}" y2="{bottom}" stroke="#5c7080"/>']
    for t in ticks:
        out.append(f'<line x1="{x(t):.1f}" y1="{bottom}" x2="{x(t):.1f}" y2="{bottom + 4}" stroke="#5c7080"/>'
                   f'<text x="{x(t):.1f}" y="{bottom + 16}" font-size="10" text-anchor="middle">{t:g} s</text>')
    return out


def render(chosen, caption):
    """chosen: [(title, timeline)], timelines as bench_failover.timings() makes them."""
    tmax = max(t["end"] for _, t in chosen) * 1.08
    ticks = _ticks(tmax)
    tmax = max(tmax, ticks[-1])
    x = lambda t: LEFT + (WIDTH - LEFT - RIGHT) * t / tmax  # noqa: E731
    body, y = [], 0
    for title, timeline in chosen:
        part, height, bottom = _panel(y, title, timeline, x)
        body += part + _axis(bottom, ticks, x)
        y += height + 12
    for line in textwrap.wrap(caption, 150):
        body.append(f'<text x="12" y="{y + 8}" font-size="11" fill="#5c7080">{escape(line)}</text>')
        y += 15
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{y + 5}" '
            f'viewBox="0 0 {WIDTH} {y + 5}" font-family="DejaVu Sans, Arial, sans-serif">\n'
            f'<rect width="100%" height="100%" fill="white"/>\n' + "\n".join(body) + "\n</svg>\n")
