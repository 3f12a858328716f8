"""`judgekit bench`: what judging costs, mode by mode, from the in-process floor to a cold
container, each measured once on this machine (the README's "Speed" section).

One job per module: `floor` (the submission's function in this process), `fresh_process`
(sandbox/runner.py in a new host process, per submission or per case), `cold` (a fresh
container through the real judge), `warm_pool` (the prewarmed pool: latency, throughput),
`stats` and `targets` (pure arithmetic), `plan` (which submissions, cases and repetitions),
`bench_run` (runs the plan), `results` (the typed report) and `chart` (the PNG).
"""
