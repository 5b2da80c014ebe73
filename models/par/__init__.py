"""The PAR Index: frameworks, staging of units and scores, scoring, bands, ranks and their marts."""
