"""Improvement plans (Vĩnh Long 2639/QĐ-UBND style): targets, statistics, tracking and scorecards."""
