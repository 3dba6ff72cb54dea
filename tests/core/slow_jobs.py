"""Test-only job kinds, registered in the test process and in the worker subprocesses the fault
tests start (tests/core/test_job_faults.py), so both know them."""

import time

from roret.core.jobs import handler, mark_stale, report


@handler("tests.slow")
def count_slowly(job):
    """``steps`` steps of ``delay`` seconds, reporting progress after each: long enough to kill."""
    steps, delay = job.params["steps"], job.params["delay"]
    for step in range(1, steps + 1):
        time.sleep(delay)
        report(job, 100 * step / steps, f"step {step} of {steps}")
    return {"steps": steps}


@handler("tests.silent")
def one_long_step(job):
    """One step longer than the lease with no progress report (a long simulation), then the check
    another worker would make; the job must still count as running and finish."""
    time.sleep(job.params["seconds"])
    return {"marked_by_the_check": mark_stale()}
