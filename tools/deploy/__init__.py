"""Deploy helpers: `make tf-check` (tfcheck), `make preflight` (preflight), `make verify` (verify)."""
