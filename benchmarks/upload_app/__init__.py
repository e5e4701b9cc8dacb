"""The one model of the upload benchmark's Django worker (no table: rows are never saved)."""
