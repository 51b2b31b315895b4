"""The polls area of the web layer."""
