"""Reading and staging every input: source declarations, readers, value parsing and quarantine records."""
