"""Alembic migrations, shipped inside the package; every command brings a database to the
latest one (tracker.persistence.db.upgrade_to_head)."""
