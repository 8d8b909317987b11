"""The TAXII 2.1 routes (OASIS TAXII 2.1, 10 June 2021, §4 and §5)."""
