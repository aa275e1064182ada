"""Writers: kept, rejected and review parquet shards, and the run manifest."""
