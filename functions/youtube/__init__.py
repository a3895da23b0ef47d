"""The youtube function: video info and audio-with-analysis through yt-dlp."""

import time

# First thing Lambda runs on a cold start: the handler measures its imports from here.
IMPORT_STARTED = time.monotonic()
