"""Versions two functions must agree on, defined once. The youtube function caches analyses
under `ANALYZER_VERSION` without importing the analysis (librosa is not in its zip)."""

ANALYZER_VERSION = "1.1.0"
