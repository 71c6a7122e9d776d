"""The WSGI entry point: `gunicorn wsgi:app` in production, `flask --app wsgi run` embedded."""

from app import config, create_app
from app.jobs.embedded import EmbeddedScheduler
from app.ops import logs

# Readable lines for `make run`, JSON in production (LOG_FORMAT); under gunicorn this replaces the handler its
# logconfig_dict made with the same one.
logs.configure(config.log_settings())
app = create_app()

if app.config["SCHEDULER"] == "embedded":
    # Embedded mode is exactly one process: the schedule runs in a thread beside the pages.
    EmbeddedScheduler(app).start()
