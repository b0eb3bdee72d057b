"""schemathesis against the running service (a child process on 127.0.0.1, with an admin key):
no operation answers a server error or a status code its OpenAPI document does not list, for
inputs the document allows (positive) and for inputs it forbids (negative: wrong types, missing
required parameters, out-of-range values, bodies that break the schema).

``FINALMILE_SCHEMATHESIS_EXAMPLES`` (default 3 per operation and mode) sets the size of the run.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator

import pytest
import schemathesis
from cryptography.fernet import Fernet
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import status_code_conformance

from finalmile.auth import Scope, create_key
from finalmile.db import create_db_engine, session_factory
from finalmile_devtools.process import HOST, finalmile_server

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("FINALMILE_SCHEMATHESIS_EXAMPLES", "3"))


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The base URL of a running service and an admin key for it."""
    tmp = tmp_path_factory.mktemp("fuzz")
    database_url = f"sqlite:///{tmp / 'fm.db'}"
    env = {
        "FINALMILE_DATABASE_URL": database_url,
        "FINALMILE_SECRET_KEY": Fernet.generate_key().decode(),
        "FINALMILE_DATA_DIR": str(tmp / "data"),
        "FINALMILE_DECIDE_INTERVAL_SECONDS": "0",
    }
    server = finalmile_server(env=env, log_path=tmp / "server.log")
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(server.start(), loop).result()
    command = server._command  # the HTTP port the helper chose
    base = f"http://{HOST}:{command[command.index('--port') + 1]}"
    engine = create_db_engine(database_url)
    try:
        with session_factory(engine)() as session, session.begin():
            key = create_key(session=session, name="fuzz", scopes=[Scope.ADMIN]).token
        yield base, key
    finally:
        engine.dispose()
        asyncio.run_coroutine_threadsafe(server.terminate(), loop).result()
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()


def _schema(base: str) -> schemathesis.BaseSchema:
    for _ in range(200):  # HTTP binds first; the routes answer once startup has migrated
        try:
            return schemathesis.openapi.from_url(f"{base}/openapi.json")
        except Exception:
            threading.Event().wait(0.1)
    raise AssertionError("the service did not serve its OpenAPI document")


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_error_and_no_undocumented_status(
    service: tuple[str, str], mode: GenerationMode
) -> None:
    base, key = service
    requests, problems = 0, []
    for result in _schema(base).get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case: schemathesis.Case) -> None:
            nonlocal requests
            requests += 1
            response = case.call(base_url=base, headers={"X-API-Key": key}, timeout=30)
            where = f"{case.method} {case.formatted_path} -> {response.status_code}"
            if response.status_code >= 500:
                problems.append(f"server error: {where}")
            try:
                case.validate_response(response, checks=[status_code_conformance])
            except (AssertionError, FailureGroup):
                problems.append(f"undocumented: {where}")

        try:
            run()
        except Unsatisfiable:  # nothing to break: an operation without parameters or body
            assert mode is GenerationMode.NEGATIVE
    print(f"{mode.value}: {requests} requests, {len(problems)} problems")
    assert not problems, "\n".join(sorted(set(problems)))
