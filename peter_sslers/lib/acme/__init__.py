"""The application side of ACME: clients built from stored accounts, the event log, and the
account and order workflows. The protocol itself lives in ``peter_sslers.lib.acme_v2``."""
