"""Small statistics helpers shared by the benchmarks (percentiles as the report states them)."""

import math
from collections.abc import Sequence


def percentile(sorted_values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0..100) by the nearest-rank method, of values already sorted."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def summary_ms(values_s: Sequence[float]) -> dict[str, float | int | None]:
    """count, p50/p95/p99/max and mean in milliseconds of durations given in seconds."""
    values = sorted(values_s)

    def ms(v: float | None) -> float | None:
        return None if v is None else round(v * 1000, 1)

    return {
        "count": len(values),
        "p50_ms": ms(percentile(values, 50)),
        "p95_ms": ms(percentile(values, 95)),
        "p99_ms": ms(percentile(values, 99)),
        "max_ms": ms(values[-1] if values else None),
        "mean_ms": ms(sum(values) / len(values) if values else None),
    }
