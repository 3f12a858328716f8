"""The HTTP routes: pages, the JSON API, live event streams and the judge hosts' API."""
