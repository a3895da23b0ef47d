"""Lambda artifact build: deterministic zips, layers for the target platform, size budget,
ABI check, shipped numba cache and a Lambda-like smoke run. Standard library only, so it
runs with any Python 3.11+ (the dev venv, or the target interpreter inside Docker)."""
