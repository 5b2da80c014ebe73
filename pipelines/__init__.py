"""Dagster wiring: Definitions, resources, jobs, schedules; and the `chiso` command."""
