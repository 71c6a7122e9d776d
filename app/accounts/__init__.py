from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/accounts", cli_group="users")

from app.accounts import cli, routes  # noqa: E402,F401  (registers views and commands on bp)
