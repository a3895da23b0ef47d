"""The poetry function: features, persona and language in; a poem out."""
