"""The judge's web UI and HTTP API (`judgekit serve`): FastAPI over SQLite or PostgreSQL,
judging in-process or on judge hosts through a broker (`judgekit.judgehost`)."""
