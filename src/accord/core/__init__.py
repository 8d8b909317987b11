"""The core of an Accord node: STIX store, releasability policy, principals and audit log.

The core knows nothing of desks, the API, the web UI or the CLI (an import-linter contract
keeps this true).
"""
