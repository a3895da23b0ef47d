"""Versions two functions must agree on, defined once. The youtube function caches analyses
under `ANALYZER_VERSION` without importing the analysis (librosa is not in its zip)."""

# 1.6.0: the key also reads the opening as extra tonic evidence, as it reads the ending.
# 1.5.0: music without an onset pulse reads the period of its chord changes as a bar of 4.
# 1.4.0: the metre choice also reads chord changes at bar length (metrical.py `chord*`).
# 1.3.1: tempo confidence at the chosen level or its peak, whichever is clearer; a steady beat
# discounts speechiness more (click tracks). 1.3.0: tempo picks its metrical level
# (analysis/metrical.py). 1.2.0: speechiness key clarity, key ending evidence, loudness of the
# original via youtube.
ANALYZER_VERSION = "1.6.0"
