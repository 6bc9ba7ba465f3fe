"""PMQA 4.0 assessment platform."""
