"""Judging a submission: verdicts and the rules that decide them, the report and what a
learner may see of it, fuzzing, the known submissions and the sandboxes kept ready ahead of
demand. The checker itself is the problem package's (`judgekit.package.checker`)."""
