"""Accord's HTTP API: TAXII 2.1 (``accord.api.taxii``), built by ``accord.api.app``."""
