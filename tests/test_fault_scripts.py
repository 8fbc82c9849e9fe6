"""The fault scripts (bench/faults) refuse a port that is taken, instead of taking whatever
answers /healthz there for their own server."""

import http.server
import importlib
import sys
import threading

import pytest

from tests.conftest import BASE_DIR, free_port


class _Healthy(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # someone else's server: healthy, and not ours
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args) -> None:
        return None


@pytest.fixture
def faults_common(monkeypatch):
    port = free_port()
    monkeypatch.setenv("FAULTS_PORT_BASE", str(port))
    monkeypatch.syspath_prepend(str(BASE_DIR / "bench" / "faults"))
    sys.modules.pop("_common", None)
    module = importlib.import_module("_common")
    yield module
    sys.modules.pop("_common", None)


def test_a_fault_script_refuses_a_port_another_server_listens_on(faults_common):
    port = faults_common.port(1)
    other = http.server.HTTPServer(("127.0.0.1", port), _Healthy)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    server = faults_common.Server(port, {})
    try:
        with pytest.raises(RuntimeError, match="taken"):
            server.start(timeout=10)
        assert server.process is None, "a server process was started on a taken port"
    finally:
        server.stop()
        other.shutdown()
        other.server_close()


def test_the_scripts_ports_can_be_moved(faults_common, monkeypatch):
    assert (
        faults_common.PORTS.start
        == faults_common.port(1)
        == int(faults_common.os.environ["FAULTS_PORT_BASE"])
    )
    assert len(faults_common.PORTS) == 9
