"""The judge's web UI and HTTP API (`judgekit serve`): FastAPI, SQLite, in-process workers."""
