"""The 80 % interval of a count of arrivals (pure).

A count is at least Poisson; when the model knows more spread (days busier or quieter than
expected all through), it is negative binomial with the same mean and the larger variance.
The 10th and 90th percentiles are interpolated inside the integer they fall on.
"""

from __future__ import annotations

import math

LOW_Q, HIGH_Q = 0.1, 0.9
_Z90 = 1.2815515655446004  # the standard normal's 90th percentile
_EXACT_UP_TO = 400.0  # above this mean the normal approximation is as good and cheaper


def count_interval(mean: float, variance: float) -> tuple[float, float]:
    """(10th, 90th percentile) of a count with this mean and variance (at least the mean)."""
    if mean <= 0:
        return 0.0, 0.0
    variance = max(variance, mean)
    if mean > _EXACT_UP_TO:
        spread = _Z90 * math.sqrt(variance)
        return round(max(0.0, mean - spread), 2), round(mean + spread, 2)
    return _quantile(mean, variance, LOW_Q), _quantile(mean, variance, HIGH_Q)


def _pmfs(mean: float, variance: float) -> tuple[float, float, float]:
    """The first probability and the recurrence's two terms: pmf(k+1) = pmf(k)·(a + b·k)/(k+1)."""
    if variance <= mean * 1.000001:
        return math.exp(-mean), mean, 0.0  # Poisson
    size = mean * mean / (variance - mean)  # negative binomial r
    keep = size / (size + mean)  # p
    return math.exp(size * math.log(keep)), size * (1 - keep), 1 - keep


def _quantile(mean: float, variance: float, q: float) -> float:
    # Each integer's mass is spread evenly over [k - 0.5, k + 0.5]: the percentile is then a
    # continuous value, and the interval of a small mean is not simply whole numbers.
    pmf, a, b = _pmfs(mean, variance)
    below, k = 0.0, 0
    limit = int(mean + 20 * math.sqrt(variance) + 20)
    while below + pmf < q and k < limit:
        below += pmf
        pmf *= (a + b * k) / (k + 1)
        k += 1
    inside = (q - below) / pmf if pmf > 0 else 0.5
    return round(max(0.0, k - 0.5 + inside), 2)
