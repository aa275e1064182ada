"""Extract: turn raw bytes from sources into clean text (HTML, PDF, plain text)."""
