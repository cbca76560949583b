"""Plumbing every package uses: database sessions and savepoints, domain errors, the audit log, paging,
periods and limited text. Imports nothing of the engine but the models."""
