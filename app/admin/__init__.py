from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from app.admin import routes  # noqa: E402,F401  (registers the views on bp)
from app.admin.dashboard import init_app  # noqa: E402,F401  (the queue's dashboard, per app)
