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


BANNER = 'id="demo-banner"'


def test_every_page_the_demo_world_feeds_says_so_in_a_banner_and_its_title(client):
    for path in ("/", "/leagues/epl", "/model", "/login"):
        page = client.get(path).get_data(as_text=True)
        assert BANNER in page and "simulated matches and prices" in page, path
        assert "<title>Demo · " in page, path


def test_real_providers_get_no_demo_banner_nor_title(tmp_path):
    from flask_migrate import upgrade

    keyed = create_app(
        {
            "TESTING": True,
            "ODDS_API_KEY": "k",
            "SCHEDULER": "off",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'real.db'}",
            "CACHE_TYPE": "SimpleCache",
            "RATELIMIT_STORAGE_URI": "memory://",
            "REDIS_URL": None,
        }
    )
    with keyed.app_context():
        upgrade()
    for path in ("/", "/login"):
        answer = keyed.test_client().get(path)
        page = answer.get_data(as_text=True)
        assert answer.status_code == 200, path
        assert BANNER not in page and "simulated" not in page, path
        assert "<title>Demo" not in page and "<title>" in page, path
