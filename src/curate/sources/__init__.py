"""Sources: steps that emit raw documents (files, URLs, a crawl) for the extract stage."""
