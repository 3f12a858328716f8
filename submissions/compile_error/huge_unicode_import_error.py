"""Compile error: the import fails with a 3,000-emoji message. Escaped as JSON, the message is
four times its UTF-8 size; the runner cuts it to fit the result channel, so it stays a CE."""

raise ImportError("\N{SNOWMAN}\N{GRINNING FACE}" * 1500)
