"""The football itself: competitions, seasons, clubs, matches, standings and match details, as stored; the registry
that resolves providers' names to them, ingest, and the jobs that refresh them."""
