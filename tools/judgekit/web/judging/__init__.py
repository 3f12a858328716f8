"""Who judges the submissions (in-process judging threads or remote judge hosts), and a
submission's place in the queue."""
