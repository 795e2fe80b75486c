"""Analyse: find the photo files, read each once (hash, pixels, EXIF), remember it in the cache."""
