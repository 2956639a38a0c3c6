"""seqlib.parallel: jobs run in worker processes, results come back in order."""

import functools
import os

import pytest

from seqlib.parallel import _cores, fit_in_parallel


def _power(base, exponent=1):
    return base**exponent


def _threads_and_pid(_):
    import threadpoolctl

    limits = [info["num_threads"] for info in threadpoolctl.threadpool_info()]
    return os.environ.get("OMP_NUM_THREADS"), max(limits, default=1), os.getpid()


def test_results_come_back_in_the_order_of_the_jobs():
    jobs = [{"base": b} for b in (5, 1, 4, 2, 3)]
    fit = functools.partial(_power, exponent=2)
    assert fit_in_parallel(fit, jobs, processes=1, progress=False) == [25, 1, 16, 4, 9]


def test_job_settings_override_the_partial_keywords():
    fit = functools.partial(_power, 3, exponent=2)
    assert fit_in_parallel(fit, [{}, {"exponent": 3}], processes=1, progress=False) == [
        9,
        27,
    ]


@pytest.mark.skipif(_cores() < 2, reason="needs two cores")
def test_two_processes_each_with_one_thread():
    out = fit_in_parallel(_threads_and_pid, [{"_": k} for k in range(4)], processes=2)
    assert {omp for omp, _, _ in out} == {"1"}
    assert all(limit == 1 for _, limit, _ in out)
    assert os.getpid() not in {pid for _, _, pid in out}


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"jobs": []}, "jobs must be a non-empty list"),
        ({"jobs": {"base": 2}}, "jobs must be a non-empty list"),
        ({"jobs": [{"base": 2}, 3]}, r"jobs\[1\] must be a mapping"),
        ({"jobs": [{"base": 2}], "threads": 0}, "threads must be a positive integer"),
        ({"jobs": [{"base": 2}], "processes": 0}, "processes must be a positive integer"),
        ({"jobs": [{"base": 2}], "processes": 10_000}, "processes × threads"),
        ({"jobs": [{"base": 2}], "threads": 10_000}, "processes × threads"),
    ],
)
def test_bad_arguments_raise_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        fit_in_parallel(_power, progress=False, **kwargs)


def test_fit_must_be_callable():
    with pytest.raises(ValueError, match="fit must be callable"):
        fit_in_parallel("fit_global", [{}], progress=False)
