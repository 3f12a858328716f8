"""Compile error: the import fails with a 3,000-emoji message. Escaped as JSON, each emoji is
12 bytes: the message and its traceback together pass the 64 KiB frame limit unless the
runner cuts them to fit by their encoded size. Cut, it stays a CE."""

raise ImportError("\N{GRINNING FACE}" * 3000)
