"""Helpers that start real services (Pebble, challtestsrv, ...) for tests and benchmarks."""
