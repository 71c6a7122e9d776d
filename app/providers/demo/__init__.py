"""The demo provider: a deterministic, always-alive football world, a pure function of (seed, instant)."""

from app.providers.demo.provider import DemoProvider, window

__all__ = ["DemoProvider", "window"]
