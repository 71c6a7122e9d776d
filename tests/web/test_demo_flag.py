"""Whether the demo world feeds the app is known in one place: pages use it to say their data is simulated."""

from app import create_app
from app.providers import registry
from app.providers.demo.provider import DemoProvider


def test_no_key_means_the_demo_world_feeds_the_app(app):
    with app.app_context():
        assert app.jinja_env.globals["demo_world"]() is True


def test_a_provider_key_means_real_data():
    keyed = create_app({"TESTING": True, "ODDS_API_KEY": "k", "SCHEDULER": "off", "DATABASE_URL": "sqlite://"})
    assert keyed.extensions["betscore.demo"] is False
    chains = keyed.extensions["betscore.providers"]
    assert chains and not any(isinstance(p, DemoProvider) for c in chains.values() for p in c)
    assert registry.is_demo(chains) is False
