"""Judging a queued submission, wherever it runs: the one job function (`job.py`), the Celery
broker it travels on (`broker.py`), the web side that enqueues and recovers (`dispatch.py`), and
the judge host that consumes a device's queue (`host.py`, `client.py`, `heartbeat.py`)."""
