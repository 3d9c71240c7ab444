"""The benchmark: data at scale, the real server under load, and the results."""
