"""The range of the judge database's row ids and sequence numbers: what the web app accepts in
a request (judgekit.web.db.ids) and what the submit client accepts in an answer."""

ROW_ID_MAX = 2**31 - 1
"""The largest id or sequence number a row can have on every backend: PostgreSQL's `integer`
is 32-bit (SQLite's INTEGER would hold 2**63 - 1). A larger number in a request is refused
before it reaches the database, where PostgreSQL would fail on it instead of finding no row."""
