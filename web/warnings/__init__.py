"""Warnings: list, report, acknowledge, resolve (`warnings`)."""
