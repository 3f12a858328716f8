"""Judging a queued submission, wherever it runs: the one job function (`job.py`), the Celery
broker it travels on (`broker.py`), the web side that enqueues and recovers (`dispatch.py`),
what the web app and a judge host say to each other (`protocol.py`, `client.py`), and the judge
host that consumes a device's queue (`start.py`, `host.py`, `consumer.py`)."""
