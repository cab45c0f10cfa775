"""Issue 22 finding 5: per-client limits keyed on the whole IPv6 address, so a viewer rotating
addresses inside its own /64 (one subscriber's network: it holds 2^64 of them) passed 120 of 120
lookups and 150 of 150 wrong attendance codes. An IPv6 viewer is now counted by its /64, an IPv4
viewer by its address (docs/architecture.md "Security in brief")."""

from __future__ import annotations

from typing import Any

from infra.local.gateway import Gateway
from tests.integration.test_publisher import create
from tests.support.client import ApiClient

NETWORK = "2001:db8:5:6"  # one /64


def rotating(gateway: Gateway, count: int, network: str = NETWORK) -> list[ApiClient]:
    """``count`` viewers, each on its own address inside ``network``::/64."""
    return [
        ApiClient(gateway, f"{network}:{n >> 48 & 0xFFFF:x}:{n >> 32 & 0xFFFF:x}:{n & 0xFFFF:x}:{n + 1:x}")
        for n in range(count)
    ]


def test_lookups_from_one_slash_64_share_one_limit(aws: None, gateway: Gateway) -> None:
    from cme.platform.settings import get_settings

    limit = get_settings().lookup_per_client
    body = {"last_name": "Ó Briain", "phone": "(480) 555-0142"}
    statuses = [viewer.post("/api/accounts/lookup", body).status for viewer in rotating(gateway, 120)]
    assert statuses.count(200) == limit, statuses
    assert statuses == [200] * limit + [429] * (120 - limit)
    # another /64 is another client; an IPv4 viewer is its own address
    assert ApiClient(gateway, "2001:db8:5:7::1").post("/api/accounts/lookup", body).status == 200
    assert ApiClient(gateway, "198.51.100.60").post("/api/accounts/lookup", body).status == 200


def test_wrong_attendance_codes_from_one_slash_64_share_one_limit(admin: ApiClient, gateway: Gateway) -> None:
    from cme.platform.settings import get_settings

    limit = get_settings().attendance_wrong_codes_per_client
    activity = create(admin)
    body: dict[str, Any] = {"email": "guesser@example.org", "first_name": "Gus", "last_name": "Esser"}
    statuses = [
        viewer.post("/api/attendance", {**body, "code": f"WRONG{n:04d}"}).status
        for n, viewer in enumerate(rotating(gateway, 150))
    ]
    assert statuses.count(404) == limit, statuses
    assert statuses == [404] * limit + [429] * (150 - limit)
    # spent for the whole /64: even the right code is refused there, not elsewhere
    right = {**body, "code": activity["attendance_code"]}
    assert ApiClient(gateway, f"{NETWORK}::beef").post("/api/attendance", right).status == 429
    assert ApiClient(gateway, "2001:db8:5:7::1").post("/api/attendance", right).status == 201
