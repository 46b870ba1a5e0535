"""Deduplication: participants enrolled twice (blocking, vectorised scoring, clusters).

Contract: `claimflow.dedupe.people.dedupe_people(frame)` returns scored,
explained pairs and clusters with one original each; it does no I/O. Claim
duplicates are caught by the batch rules (`claimflow.validate.batch`) inside
a batch and by verification (`claimflow.verify`) against earlier batches.
"""
