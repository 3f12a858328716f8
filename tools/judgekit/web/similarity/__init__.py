"""Similarity between submissions, for academic integrity: the measure, the background scan
and its child process."""
