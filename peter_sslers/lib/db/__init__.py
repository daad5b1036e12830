"""Database logic that never sees a request: the CLI, queues and views all call these."""
