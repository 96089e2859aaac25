"""Reminders from due to delivered.

plan: what has come due becomes Delivery rows (the outbox), committed before any send.
ledger: queueing, retiring and reviving those rows. leases: claiming rows for one worker and
recording what happened (FOR UPDATE SKIP LOCKED on PostgreSQL, a checked UPDATE on SQLite).
sender: the concurrent sends, a share of the slots per channel. worker: one pass, plan then
send. scheduler: APScheduler's in-memory tick. admin: the ledger as the status and deliveries
commands and the API show it.
"""
