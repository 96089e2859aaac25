"""News coming in: feeds polled by `tracker run`, articles read once, and the forecasts found
in them proposed to a person (or, for a feed that says so, stored at once)."""
