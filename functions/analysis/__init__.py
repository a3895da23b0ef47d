"""Audio analysis: decoding, one STFT, tempo, key, loudness and descriptors (internal function)."""
