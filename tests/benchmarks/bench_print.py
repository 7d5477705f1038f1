"""Benchmark of the print studio (a script, not collected by pytest).

    python tests/benchmarks/bench_print.py

Prints, for each layout, the time to produce its print-ready PDF from the batch id (read the batch,
lay the page out, draw it, write the file), best and median of 5 runs, and the file's size.
Goal: under 1 s each."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

RUNS = 5
GOAL = 1.0


def main() -> int:
    from app.core import batches, settings, signage, store, templates
    from app.render import painting

    painting.ensure_app()
    with tempfile.TemporaryDirectory() as folder:
        store.open_database(Path(folder) / "bench.db")
        settings.save(settings.Settings(store_name="Bench Shop", public_base_url="https://shop.example"))
        offer = templates.create_template("10% off", "10%", min_purchase="20", valid_days=30, terms="One per visit.")
        batch = batches.create_batch(
            "Bench", offer, 100, "In-store QR", "A treat for our regulars.", title="10% off your next visit"
        )
        painting.save_pdf(
            signage.layout(signage.content_for(batch.id), "a4"), Path(folder) / "warm.pdf"
        )  # fonts loaded once
        worst = 0.0
        print(f"{'layout':<9} {'best':>8} {'median':>8} {'size':>9}")
        for layout in signage.LAYOUTS:
            target = Path(folder) / f"{layout}.pdf"
            times = []
            for _ in range(RUNS):
                started = time.perf_counter()
                content = signage.content_for(batch.id)
                painting.save_pdf(signage.layout(content, layout), target, content.title)
                times.append(time.perf_counter() - started)
            worst = max(worst, statistics.median(times))
            print(
                f"{layout:<9} {min(times) * 1000:6.0f} ms {statistics.median(times) * 1000:6.0f} ms "
                f"{target.stat().st_size / 1024:6.0f} KB"
            )
        store.close_database()
    print(f"slowest median {worst * 1000:.0f} ms (goal < {GOAL * 1000:.0f} ms): {'ok' if worst < GOAL else 'TOO SLOW'}")
    return 0 if worst < GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
