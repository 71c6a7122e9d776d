"""The WSGI entry point: `gunicorn wsgi:app` in production, `flask --app wsgi run` embedded."""

import logging

from app import create_app
from app.jobs.embedded import EmbeddedScheduler

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
app = create_app()

if app.config["SCHEDULER"] == "embedded":
    # Embedded mode is exactly one process: the schedule runs in a thread beside the pages.
    EmbeddedScheduler(app).start()
