"""Signing up, in and out (password, Google, GitHub), confirming an address, resetting a password."""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from app.accounts import limits, mail, messages, oauth, services, sessions, tokens
from app.accounts.forms import LoginForm, ResetForm, ResetRequestForm, SignupForm
from app.accounts.models import User
from app.extensions import db
from app.ops import redaction
from app.web.urls import safe_next

bp = Blueprint("accounts", __name__)
log = logging.getLogger("betscore.accounts")
TAKEN = "An account already uses this address: sign in, or reset its password."


def init_app(app: Flask) -> None:
    sessions.init_app(app)
    oauth.init_app(app)
    # The development outbox shows sign-in links: the log filter (app/ops/redaction.py) leaves it alone.
    redaction.exempt(mail.OUTBOX)


def sign_in(user: User, remember: bool = False) -> None:
    """Sign in on a new session id, so an id planted before sign-in is worth nothing after it."""
    sessions.rotate()
    login_user(user, remember=remember)


def _form_page(template: str, **context: object) -> tuple[str, int]:
    return render_template(template, **context), 400 if request.method == "POST" else 200


# /login first: url_for names it, as people type it; /accounts/login keeps old links and bookmarks working.
@bp.route("/accounts/login", methods=["GET", "POST"])
@bp.route("/login", methods=["GET", "POST"])
@limits.per_address
@limits.per_account
def login():
    if current_user.is_authenticated:
        return redirect(url_for("matches.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            sign_in(user, remember=bool(form.remember.data))
            return redirect(safe_next(request.args.get("next")), 303)
        form.password.errors = [*form.password.errors, "Wrong email or password."]
    return _form_page("accounts/login.html", form=form, providers=oauth.providers())


@bp.route("/signup", methods=["GET", "POST"])
@limits.per_address
@limits.per_account
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("matches.index"))
    form = SignupForm()
    if form.validate_on_submit():
        email = form.email.data or ""
        if services.find_by_email(email) is None:
            try:
                user = services.create_user(email, form.password.data or "")
                db.session.commit()
            except IntegrityError:  # the same address signed up a moment ago
                db.session.rollback()
            else:
                _send_confirmation(user)
                sign_in(user)
                return redirect(url_for("account.show"), 303)
        form.email.errors = [*form.email.errors, TAKEN]
    return _form_page("accounts/signup.html", form=form, providers=oauth.providers())


def _send_confirmation(user: User) -> None:
    if not mail.smtp_configured():
        flash("Welcome to BetScore.")
        return
    try:
        messages.send_confirmation(user)
        flash("Welcome to BetScore. We have emailed you a link to confirm your address.")
    except mail.MailUnavailable:
        flash("Welcome to BetScore. We could not send the confirmation email; send it again from this page.")


@bp.get("/confirm/<token>")
def confirm(token: str):
    user = tokens.user_for_confirm(token)
    if user is None:
        return render_template("accounts/link_invalid.html"), 400
    services.confirm_email(user)
    db.session.commit()
    flash("Your email address is confirmed.")
    return redirect(url_for("account.show" if current_user.is_authenticated else "accounts.login"), 303)


@bp.route("/reset", methods=["GET", "POST"])
@limits.per_address
@limits.per_account
def forgot():
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = services.find_by_email(form.email.data or "")
        try:
            if user is not None:
                messages.send_reset(user)
        except mail.MailUnavailable:
            form.email.errors = [*form.email.errors, "We could not send email just now. Try again later."]
            return render_template("accounts/forgot.html", form=form), 503
        # The same answer whether or not an account uses the address: this page tells nobody who has one.
        flash("If an account uses that address, we have emailed it a link to choose a new password.")
        return redirect(url_for("accounts.login"), 303)
    return _form_page("accounts/forgot.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limits.per_address
def reset(token: str):
    user = tokens.user_for_reset(token)
    if user is None:
        return render_template("accounts/link_invalid.html"), 400
    form = ResetForm()
    if form.validate_on_submit():
        services.set_new_password(user, form.password.data or "")
        services.confirm_email(user)  # the link reached them at that address
        db.session.commit()
        sign_in(user)
        flash("Your password is changed, and you are signed out everywhere else.")
        return redirect(url_for("account.show"), 303)
    return _form_page("accounts/reset.html", form=form)


# /logout first, as /login; /accounts/logout for forms rendered before the change.
@bp.post("/accounts/logout")
@bp.post("/logout")
def logout():
    sessions.rotate()  # the old session id is deleted on the server: a copy of the cookie signs nobody in
    logout_user()
    flash("Signed out.")
    return redirect(url_for("matches.index"), 303)


@bp.get("/login/<provider>")
def oauth_start(provider: str):
    if provider not in oauth.providers():
        abort(404)
    callback = url_for("accounts.oauth_callback", provider=provider, _external=True)
    return oauth.client(provider).authorize_redirect(callback)


@bp.get("/login/<provider>/callback")
@limits.per_address
def oauth_callback(provider: str):
    if provider not in oauth.providers():
        abort(404)
    label = oauth.LABELS[provider]
    try:
        email = oauth.verified_email(provider, oauth.client(provider).authorize_access_token())
    except Exception as exc:  # whatever the provider or the network did, the visitor gets the sign-in page back
        log.warning("sign-in with %s failed: %s", label, type(exc).__name__)
        flash(f"Sign-in with {label} did not work. Try again, or use your email and password.")
        return redirect(url_for("accounts.login"), 303)
    if email is None:
        flash(f"{label} did not confirm an email address for you, so BetScore cannot sign you in with it.")
        return redirect(url_for("accounts.login"), 303)
    try:
        user = services.user_from_provider(email)
        db.session.commit()
    except IntegrityError:  # the same address came through a moment ago (another tab): link to that account
        db.session.rollback()
        user = services.user_from_provider(email)
        db.session.commit()
    sign_in(user)
    return redirect(url_for("matches.index"), 303)
