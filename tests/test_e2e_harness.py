"""The browser tests' server harness: waiting for gunicorn survives a slow first answer."""

import socket
import threading

import pytest

from tests.e2e import server


class Running:
    """Stands in for the gunicorn process: it never exits."""

    def poll(self):
        return None


@pytest.fixture
def slow_then_up():
    """A port whose first connection gets no answer at all and whose second gets a 200."""
    listener = socket.create_server(("127.0.0.1", 0))
    held = []

    def serve():
        first, _ = listener.accept()
        held.append(first)  # accepted, never answered: the client's read times out
        second, _ = listener.accept()
        second.recv(65536)
        second.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")
        second.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    thread.join(timeout=5)
    for connection in held:
        connection.close()
    listener.close()


def test_a_first_request_that_times_out_is_retried(slow_then_up, monkeypatch, tmp_path):
    monkeypatch.setattr(server, "FIRST_REQUEST_SECONDS", 0.5)
    server.wait_until_up(slow_then_up, Running(), tmp_path / "gunicorn.log")


def test_a_server_that_never_answers_fails_with_its_log(monkeypatch, tmp_path):
    monkeypatch.setattr(server, "STARTUP_SECONDS", 1)
    log = tmp_path / "gunicorn.log"
    log.write_text("worker failed to boot")
    with socket.create_server(("127.0.0.1", 0)) as silent:
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        with pytest.raises(RuntimeError, match="worker failed to boot"):
            server.wait_until_up(url, Running(), log)
