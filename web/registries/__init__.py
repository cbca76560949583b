"""The registries of tables 27, 28 and the second 28, and the work standards of table 9."""
