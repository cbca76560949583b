"""Protecting the application: login attempts counted in the database (ratelimit)."""
