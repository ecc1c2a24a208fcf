"""Fixtures shared by the Keras tests."""
import http.server
import threading

import pytest


@pytest.fixture
def http_server(tmp_path, monkeypatch):
    """(base URL, served folder, list of requested paths); downloads allowed."""
    root = tmp_path / "www"
    root.mkdir()
    requests = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **k):
            super().__init__(*a, directory=str(root), **k)

        def do_GET(self):
            requests.append(self.path)
            super().do_GET()

        def log_message(self, *a):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CUFLOW_OFFLINE", "0")
    yield f"http://127.0.0.1:{httpd.server_address[1]}/", root, requests
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def _fresh_keras_names():
    """Every test starts with Keras's auto-name counters reset (as Keras's own tests call
    clear_session), so expected names such as 'precision' do not depend on which tests
    ran before in the same worker."""
    import cuflow as cf
    cf.keras.backend.clear_session()
    yield
