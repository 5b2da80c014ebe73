"""Thin Dagster assets, raw → staging → core → marts → reports: load, call `models/`, store."""
