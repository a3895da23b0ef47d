"""Thumbnail proxy: fetch an allowlisted image over HTTPS without becoming an SSRF."""
