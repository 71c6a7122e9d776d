"""Bare extension instances; create_app() binds them to an app."""

from typing import TYPE_CHECKING

from flask import current_app, request
from flask_caching import Cache
from flask_limiter import ApplicationLimit, Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_migrate import Migrate
from flask_sock import Sock
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names so Alembic migrations are identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)

# Models subclass `Model`: db.Model at run time; to type checkers, the declarative base it is made from.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model


def _per_visitor() -> str:
    """RATELIMIT_APPLICATION of the app serving the request: this one Limiter serves every app a process makes, and
    would keep the first one's limits."""
    return current_app.config["RATELIMIT_APPLICATION"]


def _request_identity() -> str:
    # Flask-Limiter exempts a request without an endpoint: unnamed, URLs that match no route (404s) went uncounted.
    return request.endpoint or "unrouted"


def _per_user() -> str:
    """RATELIMIT_USER of the app serving the request (this one Limiter serves every app a process makes)."""
    return current_app.config["RATELIMIT_USER"]


def _user_key() -> str:
    # Flask-Login ids are "<user id>:<session epoch>" (app/accounts/models.py): one budget per user, whatever the epoch.
    return "user:" + current_user.get_id().partition(":")[0]


def _not_a_signed_in_page() -> bool:
    return not current_user.is_authenticated or request.endpoint == "static"


migrate = Migrate()
login = LoginManager()
# Limits count per visitor: per client address (as the proxies we trust report it: app/web/proxy.py), any route;
# and signed in, each user has one budget for the whole site too (RATELIMIT_USER).
limiter = Limiter(
    key_func=get_remote_address,
    application_limits=[
        _per_visitor,
        ApplicationLimit(
            limit_provider=_per_user, key_function=_user_key, scope="user", exempt_when=_not_a_signed_in_page
        ),
    ],
    request_identifier=_request_identity,
)
cache = Cache()
sock = Sock()
csrf = CSRFProtect()
