"""Settings: defaults here, then the instance folder's config.py, then PHIEU_* environment."""
