"""Judging a submission: verdicts and the rules that decide them, the checker, the
report and what a learner may see of it, fuzzing, and the known submissions."""
