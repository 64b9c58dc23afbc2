"""Framework features: geographic_redundancy (the client of geored's REST API)."""
