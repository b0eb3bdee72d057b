"""Travel matrices: the offline haversine estimate, ZIP centroids, and a routing engine's table
service over HTTP (a local server standing in for OSRM or Valhalla)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from finalmile.courier.geocode import zip_centroid
from finalmile.errors import InputError, PermanentError, RetriableError
from finalmile.routing import (
    GeoPoint,
    HaversineProvider,
    OsrmTableProvider,
    SpeedBand,
    ValhallaTableProvider,
)
from finalmile.routing.http_table import UNROUTABLE
from finalmile_devtools.json_handler import JsonHandler

BOSTON = GeoPoint(42.3601, -71.0589)
CAMBRIDGE = GeoPoint(42.3736, -71.1097)
WORCESTER = GeoPoint(42.2626, -71.8023)


def test_haversine_with_road_factor_and_speed_bands() -> None:
    provider = HaversineProvider(
        road_factor=1.5, speed_profile=(SpeedBand(10_000, 36.0), SpeedBand(float("inf"), 72.0))
    )
    m = provider.matrix([BOSTON, CAMBRIDGE, WORCESTER])
    assert m.distance_m[0, 0] == 0 and m.duration_s[1, 1] == 0
    # Boston-Cambridge is about 4.5 km great-circle: x1.5 road, all in the 36 km/h band.
    assert 6_500 < m.distance_m[0, 1] < 7_000
    assert m.duration_s[0, 1] == pytest.approx(m.distance_m[0, 1] / 10, abs=1)
    # Boston-Worcester (~62 km): the first 10 km at 10 m/s, the rest at 20 m/s.
    d = float(m.distance_m[0, 2])
    assert m.duration_s[0, 2] == pytest.approx(1_000 + (d - 10_000) / 20, abs=1)
    assert (m.distance_m == m.distance_m.T).all()


def test_zip_centroid_offline() -> None:
    point = zip_centroid("02139-4307")  # Cambridge, MA: the centroid moves a little by data release
    assert point.lat == pytest.approx(42.364, abs=0.01)
    assert point.lon == pytest.approx(-71.10, abs=0.01)


@pytest.mark.parametrize("code", ["00000", "ABCDE", ""])
def test_unknown_zip_names_the_field(code: str) -> None:
    with pytest.raises(InputError) as caught:
        zip_centroid(code, location="stops[3].postal_code")
    assert caught.value.location == "stops[3].postal_code"


class _Engine(JsonHandler):
    """Answers the way the engine under test would; the test sets ``reply`` and reads ``seen``."""

    reply: ClassVar[tuple[int, Any]] = (200, {})
    seen: ClassVar[list[tuple[str, str, Any]]] = []

    def do_GET(self) -> None:
        type(self).seen.append(("GET", self.path, None))
        self._answer()

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).seen.append(("POST", self.path, body))
        self._answer()

    def _answer(self) -> None:
        self.answer_json(*type(self).reply)


@pytest.fixture
def engine() -> Iterator[tuple[str, type[_Engine]]]:
    handler = type("Engine", (_Engine,), {"seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


def test_osrm_table_request_and_answer(engine: tuple[str, type[_Engine]]) -> None:
    url, handler = engine
    handler.reply = (
        200,
        {
            "code": "Ok",
            "durations": [[0, 61.4], [58.6, 0]],
            "distances": [[0, 812.2], [790.0, None]],
        },
    )
    m = OsrmTableProvider(url).matrix([BOSTON, CAMBRIDGE])
    assert handler.seen == [
        (
            "GET",
            "/table/v1/driving/-71.058900,42.360100;-71.109700,42.373600"
            "?annotations=duration,distance",
            None,
        )
    ]
    assert m.duration_s.tolist() == [[0, 61], [59, 0]]
    assert m.distance_m.tolist() == [[0, 812], [790, UNROUTABLE]]


def test_valhalla_table_request_and_answer(engine: tuple[str, type[_Engine]]) -> None:
    url, handler = engine
    cell = {"distance": 1.5, "time": 120}
    handler.reply = (200, {"sources_to_targets": [[{"distance": 0, "time": 0}, cell]] * 2})
    m = ValhallaTableProvider(url).matrix([BOSTON, CAMBRIDGE])
    method, path, body = handler.seen[0]
    assert (method, path, body["costing"]) == ("POST", "/sources_to_targets", "auto")
    assert body["sources"] == [{"lat": 42.3601, "lon": -71.0589}, {"lat": 42.3736, "lon": -71.1097}]
    assert m.distance_m.tolist() == [[0, 1500], [0, 1500]]
    assert m.duration_s.tolist() == [[0, 120], [0, 120]]


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (503, {"message": "busy"}, RetriableError),
        (429, {"message": "slow down"}, RetriableError),
        (400, {"code": "InvalidQuery"}, PermanentError),
        (200, {"code": "NoTable"}, PermanentError),
        (200, {"code": "Ok", "durations": [[0]], "distances": [[0]]}, PermanentError),
    ],
)
def test_osrm_errors_are_classified(
    engine: tuple[str, type[_Engine]], status: int, body: Any, error: type[Exception]
) -> None:
    url, handler = engine
    handler.reply = (status, body)
    with pytest.raises(error):
        OsrmTableProvider(url).matrix([BOSTON, CAMBRIDGE])


def test_unreachable_engine_is_retriable() -> None:
    with pytest.raises(RetriableError):
        OsrmTableProvider("http://127.0.0.1:9", timeout_s=1).matrix([BOSTON, CAMBRIDGE])
