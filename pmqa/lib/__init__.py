"""Framework-light helpers: Thai dates and digits, numbers, fonts."""
