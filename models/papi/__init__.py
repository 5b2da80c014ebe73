"""PAPI: provincial governance scores as UNDP publishes them, dimension map, ranks and tiers."""
