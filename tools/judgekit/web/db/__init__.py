"""The judge database: opening it, its tables and migrations, typed records, the queue
and the stored uploads."""
