"""The signed-in user's own page (/account): change the password, sign out everywhere, download or delete their data.
A blueprint of its own, `account`, beside `accounts`' sign-in pages: one module per noun."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required, logout_user

from app.accounts import mail, messages, services, sessions
from app.accounts.forms import ActionForm, ChangePasswordForm, DeleteForm
from app.accounts.models import NO_PASSWORD, User
from app.accounts.routes import sign_in
from app.extensions import db

bp = Blueprint("account", __name__, url_prefix="/account")


def _user() -> User:
    return current_user._get_current_object()


def _remembered() -> bool:
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies


def _page(password_form: ChangePasswordForm | None = None, status: int = 200) -> tuple[str, int]:
    user = _user()
    return render_template(
        "accounts/account.html",
        user=user,
        has_password=user.password_hash != NO_PASSWORD,
        needs_confirmation=user.email_confirmed_at is None and mail.smtp_configured(),
        password_form=password_form or ChangePasswordForm(),
        action=ActionForm(),
    ), status


@bp.get("")
@login_required
def show():
    return _page()


@bp.post("/password")
@login_required
def change_password():
    form = ChangePasswordForm()
    user = _user()
    if form.validate_on_submit():
        if user.check_password(form.current.data or ""):
            services.set_new_password(user, form.password.data or "")
            db.session.commit()
            sign_in(user, remember=_remembered())  # this browser stays signed in; every other session ends
            flash("Your password is changed, and you are signed out everywhere else.")
            return redirect(url_for("account.show"), 303)
        form.current.errors = [*form.current.errors, "That is not your current password."]
    return _page(form, 400)


@bp.post("/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    if ActionForm().validate_on_submit():
        user = _user()
        services.end_other_sessions(user)
        db.session.commit()
        sign_in(user, remember=_remembered())
        flash("You are signed out on every other device.")
    return redirect(url_for("account.show"), 303)


@bp.post("/confirm")
@login_required
def resend_confirmation():
    if ActionForm().validate_on_submit() and _user().email_confirmed_at is None:
        try:
            messages.send_confirmation(_user())
            flash("We have emailed you a new confirmation link.")
        except mail.MailUnavailable:
            flash("We could not send email just now. Try again later.")
    return redirect(url_for("account.show"), 303)


@bp.get("/data.json")
@login_required
def data():
    response = jsonify(services.export(_user()))
    response.headers["Content-Disposition"] = 'attachment; filename="betscore-data.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/delete", methods=["GET", "POST"])
@login_required
def delete():
    form = DeleteForm()
    user = _user()
    if form.validate_on_submit():
        if user.check_password(form.current.data or ""):
            services.delete_account(user)
            db.session.commit()
            sessions.rotate()
            logout_user()
            flash("Your account and everything BetScore kept about you are deleted.")
            return redirect(url_for("matches.index"), 303)
        form.current.errors = [*form.current.errors, "That is not your password."]
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/delete.html", form=form, has_password=user.password_hash != NO_PASSWORD), status
