"""The results: a Markdown page, an SVG chart of latency against account size, the query plans."""

import os
import platform
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from markupsafe import escape

LOGIN = "POST /auth/login"
QUICK_NOTE = "Quick run (reduced sizes and durations; not comparable with a full run)."
FLOOR = "/healthz"
WRITE = "POST /logs/new (a recent day)"
THREADS = os.environ.get("GUNICORN_THREADS", "4")  # what gunicorn.conf.py reads


@dataclass
class Results:
    """Every figure of one benchmark run."""

    args: object
    loaded: object
    typical: str
    queries: dict
    heavy_queries: dict
    plans: list
    argon2_ms: float
    heavy_medians: dict = field(default_factory=dict)
    growth: dict = field(default_factory=dict)
    typical_runs: list = field(default_factory=list)
    heavy_runs: list = field(default_factory=list)
    rss_mb: list = field(default_factory=list)
    uptime: list = field(default_factory=list)
    seconds: float = 0.0


def share(run) -> float:
    """The run's throughput as a fraction of the /healthz throughput measured around it."""
    return run.rps / run.floor_rps


def _throughput_table(runs, queries) -> list[str]:
    lines = [
        "| Endpoint | req/s | /healthz around | of /healthz | p50 ms | p95 ms | p99 ms "
        "| errors | queries |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        around = f"{run.floor_rps:.0f}"
        if run.floor_spread:
            around = f"{run.floor_spread[0]:.0f}–{run.floor_spread[1]:.0f}"
        lines.append(
            f"| `{run.label}` | {run.rps:.1f} | {around} | {share(run):.0%} | {run.p50_ms:.1f} "
            f"| {run.p95_ms:.1f} | {run.p99_ms:.1f} | {run.errors} | {queries.get(run.label, '')} |"
        )
    return lines


def targets(results: Results) -> list[tuple[str, str, bool]]:
    """(target, measured, met) for each target of the benchmark (those of the stored analytics
    state: one client's medians, growth ratios and throughput shares in one run)."""
    heavy = results.heavy_medians
    runs = results.typical_runs
    shares = {run.label: share(run) for run in runs if run.label != FLOOR}
    lowest = min((label for label in shares if label != LOGIN), key=shares.get)
    checks = [
        ("heavy `/analytics/?range=365d` p50 ≤ 50 ms", heavy["/analytics/?range=365d"], 50),
        ("heavy `/analytics/?range=all` p50 ≤ 100 ms", heavy["/analytics/?range=all"], 100),
        ("heavy `/dashboard` p50 ≤ 30 ms", heavy["/dashboard"], 30),
        ("heavy `/habits/<id>` p50 ≤ 30 ms", heavy["/habits/{habit}"], 30),
    ]
    rows = [(name, f"{value:.1f} ms", value <= limit) for name, value, limit in checks]
    write, floor = heavy[WRITE], heavy[FLOOR]
    rows.append(
        (
            f"`{WRITE}` p50 ≤ 2× `/healthz` p50 (one client)",
            f"{write:.1f} ms = {write / floor:.1f}× {floor:.1f} ms",
            write <= 2 * floor,
        )
    )
    rows.append(
        (
            "`/dashboard` ≥ 40 % of `/healthz`",
            f"{shares['/dashboard']:.0%}",
            shares["/dashboard"] >= 0.4,
        )
    )
    rows.append(
        (
            "no endpoint but login < 25 % of `/healthz`",
            f"lowest `{lowest}` {shares[lowest]:.0%}",
            shares[lowest] >= 0.25,
        )
    )
    ratios = growth_ratios(results)
    if ratios:
        for path, limit in (
            ("/analytics/data.json?range=365d", 1.5),
            ("/analytics/data.json?range=all", 3),
        ):
            ratio = ratios[path]
            rows.append((f"growth `{path}` ≤ {limit}×", f"{ratio:.2f}×", ratio <= limit))
    errors = sum(run.errors for run in [*results.typical_runs, *results.heavy_runs])
    rows.append(("no errors under load", str(errors), errors == 0))
    top = max(results.rss_mb, default=0)
    rows.append(("worker RSS ≤ 150 MB", f"{top:.0f} MB", top <= 150))
    return rows


def growth_ratios(results: Results) -> dict[str, float]:
    """Median latency of the largest growth account over the smallest's, per path."""
    sizes = sorted(results.growth)
    if len(sizes) < 2:
        return {}
    small, large = results.growth[sizes[0]][1], results.growth[sizes[-1]][1]
    return {path: large[path] / small[path] for path in small}


def markdown(results: Results, stem: str) -> str:
    args, loaded = results.args, results.loaded
    lines = [
        f"# Benchmark {stem}",
        "",
        f"{QUICK_NOTE if args.quick else 'Full run.'} PostgreSQL, gunicorn with the production "
        f"config, {args.workers} gthread workers of {THREADS} threads, wrk with "
        f"{args.connections} connections for "
        f"{args.duration} s per endpoint, on 127.0.0.1. Python {platform.python_version()}, "
        f"{platform.machine()}, load average after the run {' '.join(results.uptime)}; the run "
        f"took {results.seconds:.0f} s.",
        "",
        f"Data: {loaded.total_logs:,} logs — {len(loaded.population):,} users × "
        f"{args.habits} habits × {args.days} days of demo logs, a heavy user with "
        f"{loaded.heavy.logs:,} logs ({args.heavy_habits} habits × {args.heavy_years} years, "
        "every habit every day), and growth users; loaded with COPY in "
        f"{loaded.seconds:.0f} s (including drop, create and migrations).",
        "",
        "## Targets",
        "",
        "| Target | Measured | Met |",
        "|---|---|---|",
    ]
    lines += [
        f"| {name} | {value} | {'yes' if met else '**no**'} |"
        for name, value, met in targets(results)
    ]
    lines += [
        "",
        f"## Throughput as a typical user (`{results.typical}`, {args.habits} habits, "
        f"{args.days} days)",
        "",
        "Each endpoint ran between two short `/healthz` runs; its fraction is of the mean of"
        " those two (the first row sums all of them, with their range). `queries` is counted"
        " in-process on the same database. POSTs answer 302 on success.",
        "",
        *_throughput_table(results.typical_runs, results.queries),
        "",
        f"## Throughput as the heavy user ({loaded.heavy.logs:,} logs)",
        "",
        *_throughput_table(results.heavy_runs, {**results.queries, **results.heavy_queries}),
        "",
        f"Argon2id with the production parameters: **{results.argon2_ms:.0f} ms per hash** "
        "(bounds `POST /auth/login`).",
        "",
        f"Worker RSS after the run: {', '.join(f'{size:.0f} MB' for size in results.rss_mb)}.",
        "",
        "## One client, heavy user (median of sequential requests, taken in turns)",
        "",
        "| Page | median ms |",
        "|---|---:|",
        *[f"| `{path}` | {ms:.1f} |" for path, ms in results.heavy_medians.items()],
        "",
        "## Growth (median of sequential requests, one client, every account in turns)",
        "",
        "| Logs | " + " | ".join(f"`{path}` ms" for path in _growth_paths(results)) + " |",
        "|---:|" + "---:|" * len(_growth_paths(results)),
    ]
    for size in sorted(results.growth):
        logs, medians = results.growth[size]
        lines.append(f"| {logs:,} | " + " | ".join(f"{ms:.1f}" for ms in medians.values()) + " |")
    ratios = growth_ratios(results)
    if ratios:
        lines.append("| ratio | " + " | ".join(f"{ratio:.2f}×" for ratio in ratios.values()) + " |")
    lines += [
        "",
        f"![Latency against account size]({stem}-growth.svg)",
        "",
        "## Query plans",
        "",
        f"`EXPLAIN (ANALYZE, BUFFERS)` of the {len(results.plans)} habit_log queries of "
        f"`/analytics/data.json?range=all` for the heavy user: "
        f"[{stem}-explain.txt]({stem}-explain.txt).",
        "",
        "| Query | Indexes scanned |",
        "|---:|---|",
        *[
            f"| {number} | {', '.join(f'`{name}`' for name in plan['indexes']) or '**none**'} |"
            for number, plan in enumerate(results.plans, 1)
        ],
        "",
    ]
    return "\n".join(lines)


def _growth_paths(results: Results) -> list[str]:
    first = next(iter(results.growth.values()), (0, {}))
    return list(first[1])


def explain_text(results: Results) -> str:
    parts = []
    for number, plan in enumerate(results.plans, 1):
        parts.append(f"-- Query {number}\n{plan['statement'].strip()}\n\n{plan['plan']}\n")
    return "\n".join(parts)


def growth_svg(results: Results) -> str:
    """Median latency against logs in the account, one line per path, log-scaled x axis."""
    import math

    width, height, left, right, top, bottom = 480, 240, 52, 16, 24, 40
    sizes = sorted(results.growth)
    series = {
        path: [results.growth[size][1][path] for size in sizes] for path in _growth_paths(results)
    }
    logs = [results.growth[size][0] for size in sizes]
    peak = max((ms for values in series.values() for ms in values), default=1) * 1.15
    low, high = math.log10(min(logs)), math.log10(max(logs))
    span = (high - low) or 1

    def x(count):
        return left + (math.log10(count) - low) / span * (width - left - right)

    def y(ms):
        return height - bottom - ms / peak * (height - top - bottom)

    colours = ("#2563eb", "#dc2626")
    base = height - bottom
    body = [
        f'<line x1="{left}" y1="{base}" x2="{width - right}" y2="{base}" stroke="#555"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="#555"/>',
        f'<text x="{width / 2}" y="{height - 6}" text-anchor="middle">logs in the account</text>',
        f'<text x="12" y="{top - 8}">median ms</text>',
    ]
    for count in logs:
        body.append(
            f'<text x="{x(count):.1f}" y="{base + 16}" text-anchor="middle">{count:,}</text>'
        )
    for fraction in (0.5, 1):
        value = peak / 1.15 * fraction
        body.append(
            f'<text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{value:.0f}</text>'
        )
    for index, (path, values) in enumerate(series.items()):
        colour = colours[index % len(colours)]
        points = " ".join(
            f"{x(count):.1f},{y(ms):.1f}" for count, ms in zip(logs, values, strict=True)
        )
        body.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
        body += [
            f'<circle cx="{x(count):.1f}" cy="{y(ms):.1f}" r="3" fill="{colour}"/>'
            for count, ms in zip(logs, values, strict=True)
        ]
        label_y = top + 14 + 14 * index
        body.append(f'<text x="{left + 8}" y="{label_y}" fill="{colour}">{escape(path)}</text>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" font-family="sans-serif" font-size="11" role="img">'
        "<title>Median latency against account size</title>"
        f'<rect width="{width}" height="{height}" fill="#fff"/>' + "".join(body) + "</svg>\n"
    )


def write(results: Results, directory: Path) -> list[Path]:
    """Write <date>.md, <date>-growth.svg and <date>-explain.txt (quick runs: quick-<date>)."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = f"{datetime.now(UTC):%Y-%m-%d}"
    if results.args.quick:
        stem = f"quick-{stem}"
    paths = [
        directory / f"{stem}.md",
        directory / f"{stem}-growth.svg",
        directory / f"{stem}-explain.txt",
    ]
    paths[0].write_text(markdown(results, stem))
    paths[1].write_text(growth_svg(results))
    paths[2].write_text(explain_text(results))
    return paths


def summary(results: Results) -> str:
    return "\n".join(
        f"{'ok  ' if met else 'MISS'} {name}: {value}" for name, value, met in targets(results)
    )
