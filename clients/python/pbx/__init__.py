"""geored's Python client, under the package name the Geographic Redundancy Guide imports from."""
