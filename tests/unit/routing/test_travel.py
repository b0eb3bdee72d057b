"""Travel sources by name: FINALMILE_ROUTING_TABLE_URL's checks, what each name prices with, and
engine failures that name the source (a local fake OSRM table service)."""

from __future__ import annotations

import pytest

from finalmile.config.settings import Settings
from finalmile.errors import ConfigError, InputError, RetriableError
from finalmile.routing import GeoPoint, HaversineProvider, OsrmTableProvider, ValhallaTableProvider
from finalmile.routing.travel import ETA_TIMEOUT_S, HAVERSINE, TravelSource, configured
from tests.osrm_server import FakeOsrm

POINTS = [GeoPoint(42.3601, -71.0589), GeoPoint(42.3736, -71.1097), GeoPoint(42.2626, -71.8023)]


@pytest.mark.parametrize(
    "url",
    ["osrm+http://osrm:5000", "osrm+https://maps.example/osrm/", "valhalla+http://[::1]:8002"],
)
def test_an_engine_url_is_configured_as_is(url: str) -> None:
    assert configured(Settings(routing_table_url=url).routing_table_url) == url


def test_unset_is_haversine() -> None:
    assert configured(Settings().routing_table_url) == HAVERSINE


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://osrm:5000", "start with osrm+http://, osrm+https://"),
        ("graphhopper+http://gh:8989", "start with osrm+http://"),
        ("osrm+ftp://osrm", "start with osrm+http://"),
        ("osrm+http://", "no host"),
        ("osrm+http://osrm:port", "not a URL"),
        ("osrm+http://user:secret@osrm:5000", "no credentials, query or fragment"),
        ("valhalla+http://valhalla:8002?key=1", "no credentials, query or fragment"),
    ],
)
def test_a_bad_engine_url_is_refused_without_echoing_it(url: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings(routing_table_url=url)
    (error,) = [e for e in caught.value.errors if e.startswith("FINALMILE_ROUTING_TABLE_URL")]
    assert problem in error and "secret" not in error


def test_each_name_prices_with_its_provider() -> None:
    assert TravelSource(HAVERSINE).provider() == HaversineProvider()
    assert TravelSource("osrm+http://osrm:5000", ETA_TIMEOUT_S).provider() == OsrmTableProvider(
        "http://osrm:5000", timeout_s=ETA_TIMEOUT_S
    )
    assert TravelSource("valhalla+https://v").provider() == ValhallaTableProvider("https://v")
    with pytest.raises(InputError, match="unknown travel-time source 'osrm'"):
        TravelSource("osrm").provider()


def test_an_engine_prices_the_points_and_its_failures_name_the_source() -> None:
    with FakeOsrm(leg_seconds=90, leg_metres=700) as engine:
        source = TravelSource(f"osrm+{engine.url}")
        matrix = source.matrix(POINTS)
        engine.down = True
        with pytest.raises(RetriableError) as caught:
            source.matrix(POINTS)
    assert matrix.duration_s.tolist() == [[0, 90, 90], [90, 0, 90], [90, 90, 0]]
    assert matrix.distance_m[0, 1] == 700 and engine.requests == [3]
    assert str(caught.value) == f"travel times from osrm+{engine.url}: OSRM table: HTTP 503"
