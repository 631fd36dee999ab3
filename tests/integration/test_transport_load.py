"""transport.send under many concurrent calls: queued calls wait before doing any work."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import httpx
import pytest

from supportdesk.providers import transport
from supportdesk.providers.errors import ProviderBug
from supportdesk.providers.transport import RetryPolicy, build_http_client, send


@pytest.mark.asyncio
async def test_queued_calls_build_no_request_until_a_slot_frees():
    release = asyncio.Event()
    in_handler = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_handler
        in_handler += 1
        await release.wait()
        return httpx.Response(200, json={"ok": True})

    client = build_http_client("https://provider.test/api",
                               transport=httpx.MockTransport(handler))
    built = 0
    build = client.build_request

    def counting_build(*args: Any, **kwargs: Any) -> httpx.Request:
        nonlocal built
        built += 1
        return build(*args, **kwargs)

    client.build_request = counting_build  # type: ignore[method-assign]
    async with client:
        calls = [asyncio.ensure_future(send(client, "test", "GET", f"/x/{i}", retry=True,
                                            policy=RetryPolicy(attempts=2)))
                 for i in range(3 * transport.MAX_IN_FLIGHT)]
        for _ in range(20):
            await asyncio.sleep(0)
        assert built == in_handler == transport.MAX_IN_FLIGHT
        release.set()
        responses = await asyncio.gather(*calls)
    assert [r.status_code for r in responses] == [200] * len(calls)
    assert built == len(calls)


def test_missing_sniffio_fails_fast():
    # httpcore tries `import sniffio` per lock and event; a missing one must not scan sys.path.
    if sys.modules.get("sniffio") is not None:
        pytest.skip("sniffio is installed")
    assert "sniffio" in sys.modules and sys.modules["sniffio"] is None
    with pytest.raises(ImportError):
        import sniffio  # noqa: F401


@pytest.mark.asyncio
async def test_first_attempt_failures_are_retried_within_the_policy():
    calls = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls < 3:
            return httpx.Response(503, headers={"Retry-After": "0"}, text="busy")
        return httpx.Response(200, json={"ok": True})

    policy = RetryPolicy(attempts=3, timeout=5.0, wait_initial=0.01, wait_max=0.05)
    async with build_http_client("https://provider.test/api",
                                 transport=httpx.MockTransport(handler)) as client:
        response = await send(client, "test", "GET", "/x", retry=True, policy=policy)
    assert response.status_code == 200 and calls == 3


@pytest.mark.asyncio
async def test_a_first_attempt_longer_than_the_retry_timeout_is_not_retried():
    calls = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.05)
        return httpx.Response(503, headers={"Retry-After": "0"}, text="busy")

    policy = RetryPolicy(attempts=3, timeout=0.01, wait_initial=0.01, wait_max=0.05)
    async with build_http_client("https://provider.test/api",
                                 transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(ProviderBug):
            await send(client, "test", "GET", "/x", retry=True, policy=policy)
    assert calls == 1
