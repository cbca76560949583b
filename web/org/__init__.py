"""Signing in and out, the profile and API tokens (blueprint `auth`)."""
