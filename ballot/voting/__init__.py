"""The voting area of the web layer."""
