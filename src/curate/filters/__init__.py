"""Filters: drop documents by length, language and quality, each drop with a reason."""
