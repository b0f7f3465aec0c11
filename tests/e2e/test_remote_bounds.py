"""Bounded work over a real socket (issue 35): a body above its limit is answered 413 by
the portal before it is sent; a query above a limit is refused with a message through
ckanapi, and one of 100 words is answered."""
from __future__ import annotations

import socket
import time
from urllib.parse import urlparse

import pytest
from ckanapi import RemoteCKAN, SearchQueryError

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("with_plugins", "clean_db")]


def _raw(server_url: str, head: bytes, body: bytes = b"", timeout: float = 5.0) -> tuple[bytes, float]:
    """Send ``head`` (and ``body``), read the answer's first line and headers; the time it took."""
    url = urlparse(server_url)
    started = time.monotonic()
    with socket.create_connection((url.hostname, url.port), timeout=timeout) as s:
        s.sendall(head + body)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = s.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer, time.monotonic() - started


def test_a_3_mb_action_body_gets_413_before_it_is_sent(server_url):
    """Only the headers are sent: the answer comes at once, the body never read."""
    head = (b"POST /api/3/action/package_search HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 3145728\r\n\r\n")
    answer, took = _raw(server_url, head)
    assert answer.split(b"\r\n")[0].split()[1] == b"413", answer[:200]
    assert took < 3, took


def test_a_body_sent_in_chunks_is_read_up_to_its_limit(server_url):
    chunk = b"x" * 65536
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(20)) + b"0\r\n\r\n"  # 1.25 MB
    head = (b"POST /api/3/action/package_search HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    answer, _ = _raw(server_url, head, body)
    assert answer.split(b"\r\n")[0].split()[1] == b"413", answer[:200]


def test_query_limits_through_ckanapi(server_url):
    anonymous = RemoteCKAN(server_url, user_agent="vgsamverkan-e2e")
    words = [f"ord{i}" for i in range(150)]
    with pytest.raises(SearchQueryError) as e:
        anonymous.action.package_search(q=" ".join(words))
    assert "100" in str(e.value) and "150" in str(e.value)
    with pytest.raises(SearchQueryError) as e:
        anonymous.action.package_search(q="a" * 5000)
    assert "4000" in str(e.value)
    assert anonymous.action.package_search(q=" ".join(words[:100]))["count"] == 0
