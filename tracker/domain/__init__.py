"""Pure logic: deadlines and their zones, the reminder policy, scoring, validation of input,
and the rules a channel's URL and secret must follow.

Nothing here reads the clock (callers pass `now`), opens a database or speaks HTTP; the
import contracts in pyproject.toml keep SQLAlchemy, httpx, aiohttp, APScheduler and FastAPI
out. So every rule can be tested with plain values.
"""
