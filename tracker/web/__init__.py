"""The HTTP side of tracker: `tracker serve` and `tracker run --http`."""
