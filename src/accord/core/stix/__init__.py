"""STIX 2.1 handling: canonical JSON, fast validation, reference extraction."""
