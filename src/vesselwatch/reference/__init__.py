"""Reference data: ports and watch zones, shore and land distance, watchlists."""
