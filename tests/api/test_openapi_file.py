"""docs/openapi.json is the schema the API serves (/api/v1/openapi.json), so a client can be written
from the repository without a login. When the API changes, write it again with
``RORET_WRITE_OPENAPI=1 pytest tests/api/test_openapi_file.py`` and commit it."""

import json
import os
from pathlib import Path

from tests.clients import SecondFactorClient
from tests.factories import PASSWORD

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_docs_openapi_json_is_the_served_schema(world):
    client = SecondFactorClient()
    assert client.login(username="caseworker", password=PASSWORD)
    served = client.get("/api/v1/openapi.json").json()
    if os.environ.get("RORET_WRITE_OPENAPI"):
        SCHEMA_FILE.write_text(json.dumps(served, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert SCHEMA_FILE.exists() and json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == served, (
        "docs/openapi.json is not the served schema: RORET_WRITE_OPENAPI=1 pytest tests/api/test_openapi_file.py")
