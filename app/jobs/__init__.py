"""Background jobs: the job decorator, the RQ side (queues, worker, periodic scheduler), the run log, the declared
schedule, the embedded runner, locks and the nightly cleanup."""
