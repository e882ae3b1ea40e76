"""A web server on this machine's loopback address that serves the pages a test sets, so
fetching and watching are tested without reaching outside the machine."""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Served:
    body: bytes | str = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html"})
    length: bool = True  # send Content-Length (else the body ends when the connection closes)
    delay: float = 0.0  # seconds to wait before answering


class PageServer:
    def __init__(self):
        self.routes: dict[str, Served] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []  # (path, headers) as received
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the standard library's name)
                server.requests.append((self.path, dict(self.headers)))
                served = server.routes.get(self.path, Served(b"Not found", 404))
                body = served.body.encode() if isinstance(served.body, str) else served.body
                time.sleep(served.delay)
                self.send_response(served.status)
                for name, value in served.headers.items():
                    self.send_header(name, value)
                if served.length and "Content-Length" not in served.headers:
                    self.send_header("Content-Length", str(len(body)))
                else:
                    self.close_connection = True
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> "PageServer":
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def origin(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.origin + path

    def serve(self, path: str, body: bytes | str = b"", **options) -> str:
        self.routes[path] = Served(body, **options)
        return self.url(path)

    def paths_requested(self) -> list[str]:
        return [path for path, _ in self.requests]
