from flask import Blueprint

bp = Blueprint("odds", __name__)

from app.odds import routes  # noqa: E402,F401  (registers the views on bp)
