"""The cards area of the web layer."""
