"""Inputs: the data loader (data/) and the parameter registry (data/parameters.csv, scenarios)."""
