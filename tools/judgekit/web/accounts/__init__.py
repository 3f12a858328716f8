"""Accounts: passwords, sessions, API tokens and CSRF, and the back-off after wrong passwords."""
