"""Reports: a self-contained HTML page per run and for the whole corpus."""
