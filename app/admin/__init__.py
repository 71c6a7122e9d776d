"""Admin pages: stored data at a glance, the background jobs, alias review and the queue's dashboard."""
