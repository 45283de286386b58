"""The mail core: composing, recording and delivering email. Knows nothing of Flask requests."""
