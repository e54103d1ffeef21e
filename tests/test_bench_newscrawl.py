"""The news-crawl bench's bound on scaling: the least time a job's CPU could take."""

from __future__ import annotations

import pytest

from bench.bench_newscrawl import least_seconds


def test_on_as_many_cores_as_workers_the_whole_cpu_is_shared_by_the_cores():
    # 1.3 s of the workers and 0.2 s of the driver, on 2 cores: 0.75 s at the least.
    assert least_seconds(1.3, 0.2, cores=2) == pytest.approx(0.75)


def test_with_spare_cores_each_worker_still_needs_its_share():
    # On 4 cores the driver has a core of its own: the two workers' 0.65 s each remain.
    assert least_seconds(1.3, 0.2, cores=4) == pytest.approx(0.65)


def test_more_workers_share_the_workers_cpu():
    # 4 workers on 8 cores: 2.0 s of the workers' CPU, 0.5 s each at the least.
    assert least_seconds(2.0, 0.1, cores=8, workers=4) == pytest.approx(0.5)
