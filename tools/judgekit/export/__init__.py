"""Exports of the problem package to other judges' formats (`judgekit export`)."""
