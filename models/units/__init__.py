"""Units through time: the unit register's validity and successor relations, the lineage they
make, and trends across a reorganisation (Vietnam's July 2025 one: Nghị quyết 202/2025/QH15)."""
