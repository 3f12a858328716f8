"""What any one client, and all of them together, may cost the server: limits, fairness,
the HTTP server's own deadlines, and the headers every response carries."""
