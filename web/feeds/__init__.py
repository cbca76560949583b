"""Data feeds (table 37): the pages (pages.py) and the providers' push API (api.py)."""
