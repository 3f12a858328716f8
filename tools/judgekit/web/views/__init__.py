"""What the pages show: the statement's markup, the templates and their view models, a
result's summary."""
