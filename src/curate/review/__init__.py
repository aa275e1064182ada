"""Human review: queues out, decisions back in, a relevance classifier learned from them.

The loop, per run (`out/<pipeline>/<run-id>/`):

1. `queue`: what reviewers see — the documents a stage sent to review (the membership
   borderline band, the relevance filter's unsure band) plus a random audit sample of kept and
   rejected documents, stratified by source and kind, one document per near-duplicate cluster,
   minus documents already decided in an earlier round.
2. `formats`: the queue as Label Studio tasks (with the matching labeling config), CSV or JSONL;
   and the labels back from Label Studio's JSON/JSON-MIN/CSV exports or the filled CSV/JSONL.
3. `labels`: an import is checked in full against the run (run id, known document ids, valid
   values) before anything is stored; every annotation lands in the pipeline's decision store
   (`out/<pipeline>/state/review.sqlite`), so importing the same file twice changes nothing.
4. `resolve`: several annotators on one document are resolved by one documented rule, and
   their agreement is reported.
5. `apply`: resolved decisions move documents into new kept/rejected shards of the run (stage
   and reason `review`), with an audit trail; the manifest and corpus manifest are rebuilt.
6. `train`: a fastText relevance classifier from the decisions, which the `relevance` filter
   uses in the next run.
"""
