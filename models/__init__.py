"""The domain: frameworks, parsing of officials' files, scoring and classification.

Plain functions over Polars frames; nothing here imports Dagster, so every rule can be
tested and reused from a notebook.
"""
