"""The app's providers: which ones serve a capability (configured at start), in order, and what they have spent."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import current_app

from app.providers.base import Provider, ProviderError
from app.providers.records import Usage
from app.providers.registry import first_success

T = TypeVar("T")


def chain(capability: str, only: str | None = None) -> list[Provider]:
    """The providers configured for a capability, in order (just the named one when `only` is given)."""
    providers: list[Provider] = current_app.extensions["betscore.providers"].get(capability, [])
    if only is not None:
        providers = [p for p in providers if p.name == only]
        if not providers:
            raise ProviderError(only, capability, "not configured for this capability")
    return providers


def serve(capability: str, call: Callable[[Provider], T], only: str | None = None) -> tuple[Provider, T]:
    """The first provider that serves the call; a failing one hands over to the next."""
    return first_success(capability, chain(capability, only), call)


def configured() -> dict[str, Provider]:
    """Every configured provider, once, by name."""
    return {p.name: p for c in current_app.extensions["betscore.providers"].values() for p in c}


def readings() -> list[Usage]:
    """The latest quota reading of every configured provider that has one."""
    return [r for r in (p.usage() for p in configured().values()) if r is not None]


def requests_sent() -> int:
    """Requests this process has sent to providers so far, retries included."""
    return sum(p.requests_sent for p in configured().values())
