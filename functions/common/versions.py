"""Versions two functions must agree on, defined once. The youtube function caches analyses
under `ANALYZER_VERSION` without importing the analysis (librosa is not in its zip)."""

ANALYZER_VERSION = "1.2.0"  # 1.2.0: speechiness key clarity, key ending evidence, loudness of the original via youtube
