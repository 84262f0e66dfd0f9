"""Shared code of the imaging lakehouse DAGs (settings, the job operator, the feed convention)."""
