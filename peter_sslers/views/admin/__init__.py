"""Admin views: one module per resource; each view returns one dict for its page and .json twin."""
