"""The database: tables (models), engines, sessions and migrations (db), the queries the use
cases run (store), an import's bulk writes (bulk), and the Alembic migrations, which keep
their revision ids so that any earlier database upgrades.

Times are stored in UTC and read back aware; SQLite and PostgreSQL behave the same here.
"""
