"""A class: its admin pages and API, grade export and the queries behind them."""
