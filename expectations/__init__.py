"""Data checks: contract rules for the marts, run as Dagster asset checks."""
