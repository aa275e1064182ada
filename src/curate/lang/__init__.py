"""Language profiles: per-language word tokenisation, thresholds and rules (`profiles`, `words`)."""
