"""Federation: syncing findings with peer nodes over TAXII 2.1 (see docs/federation.md)."""
