"""Public views: safe to expose to the internet; they never show key material or admin data."""
