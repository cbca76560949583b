"""Shared set-up for the benchmarks: a fresh SQLite database with the demo organisation."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

# bench/http.py is named as the issue names it: keep this folder after the standard library on the path, or
# `import http` (Werkzeug, Flask) would find it instead of the standard library's package.
_BENCH = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != _BENCH] + [_BENCH]
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("ZHENGAI_SECRET_KEY", "bench")


from engine import install, wiring  # noqa: E402
from engine.core.settings import Settings  # noqa: E402

wiring.wire()

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
SETTINGS = Settings.from_env(os.environ)  # as the app reads them: the benches' sessions carry these


def fresh_database(name: str, url: str | None = None) -> str:
    """`url` (an empty database, e.g. PostgreSQL) or a new SQLite file, with the demo school installed."""
    if url is None:
        url = f"sqlite:///{Path(tempfile.mkdtemp(prefix=f'zhengai-bench-{name}-')) / 'bench.db'}"
    install.install_database(url, NOW, SETTINGS)
    return url


def report(label: str, samples_ms: list[float]) -> str:
    samples = sorted(samples_ms)
    p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
    line = (
        f"{label}: n={len(samples)} median={statistics.median(samples):.2f} ms "
        f"p95={p95:.2f} ms min={samples[0]:.2f} ms max={samples[-1]:.2f} ms"
    )
    print(line)
    return line
