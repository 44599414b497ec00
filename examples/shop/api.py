"""A local JSON API for the shop and the resources that call it. Runs offline.

:func:`serve_json` starts an HTTP server on ``127.0.0.1`` (a free port) in a background thread and
stops it when the ``with`` block ends, so notebooks and tests never touch the network::

    with serve_json({"/items": CATALOG}, api_key="k") as base_url:
        CatalogApi(base_url=base_url, api_key="k").fetch("items")
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from pydantic import Field

import resnb as dg

__all__ = ["CATALOG", "USERS", "CatalogApi", "fetch_json", "serve_json"]

#: What the shop's catalog API serves under /items: item -> unit price.
CATALOG = {"tea": 4.5, "coffee": 3.0, "cake": 6.0}

#: What it serves under /users.
USERS = [{"id": 1, "name": "Ada"}, {"id": 2, "name": "Grace"}]


def _handler_for(routes: Mapping[str, Any], api_key: str | None) -> type[BaseHTTPRequestHandler]:
    """A request handler class answering GET requests from ``routes``."""

    class JsonHandler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # the name http.server calls
            if api_key is not None and self.headers.get("Authorization") != f"Bearer {api_key}":
                self._send(
                    401, {"error": "missing or wrong bearer token: check the api_key the client was given"}
                )
            elif self.path in routes:
                self._send(200, routes[self.path])
            else:
                self._send(404, {"error": f"no route {self.path}", "routes": sorted(routes)})

        def _send(self, status: int, payload: Any) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # keep notebook output clean
            pass

    return JsonHandler


@contextmanager
def serve_json(routes: Mapping[str, Any], *, api_key: str | None = None) -> Iterator[str]:
    """Serve ``routes`` (path -> JSON value) on 127.0.0.1 until the block ends; yields the base URL.

    With ``api_key``, requests without the header ``Authorization: Bearer <api_key>`` get 401.
    """
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(dict(routes), api_key))
    thread = threading.Thread(target=server.serve_forever, name="resnb-example-api", daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def fetch_json(url: str, headers: Mapping[str, str] | None = None, timeout: float = 30) -> Any:
    """GET ``url`` and decode its JSON body (the standard library's stand-in for ``requests``)."""
    request = urllib.request.Request(url, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        raise RuntimeError(f"GET {url} failed with HTTP {error.code}: {error.read().decode()}") from None


class CatalogApi(dg.ConfigurableResource):
    """Client of the shop's catalog API (JSON over HTTP, bearer-token auth)."""

    base_url: str = Field(description="Root URL of the API, without a trailing slash.")
    api_key: str = Field(exclude=True, description="Bearer token; never shown. Read it from SHOP_API_KEY.")
    timeout: int = Field(default=30, description="Seconds to wait for a response.")

    def fetch(self, endpoint: str) -> Any:
        """GET ``<base_url>/<endpoint>`` and return the decoded JSON."""
        headers = {"Authorization": f"Bearer {self.api_key}"}
        return fetch_json(f"{self.base_url}/{endpoint}", headers=headers, timeout=self.timeout)
