"""Images this site serves itself: crests and badges fetched once from providers (or drawn by the demo world),
stored by content (a folder or an S3-compatible bucket) and served with long-lived caching."""
