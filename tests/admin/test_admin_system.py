"""The admin's system page: which sandbox isolation layers hold on this host, found by a
real child and kept for a while; only admins see it."""

from __future__ import annotations

import ctypes
import html
import os
import re

import pytest

from portal.admin import services
from sandbox import host_check


def _landlock_abi() -> int:
    """Asked of the kernel directly (landlock_create_ruleset with the version flag)."""
    if os.uname().machine != "x86_64":
        return 0
    return max(ctypes.CDLL(None, use_errno=True).syscall(444, None, 0, 1), 0)


def _states(page: str) -> dict[str, tuple[str, str]]:
    rows = re.findall(
        r'<th scope="row">([^<]+)</th>\s*<td><span class="badge [^"]+">(\w+)</span></td>\s*'
        r'<td class="small">([^<]*)</td>',
        page,
    )
    return {name: (state, html.unescape(detail)) for name, state, detail in rows}


@pytest.fixture
def probes(monkeypatch):
    """Count the real checks (each starts a sandbox child); start from an empty cache."""
    calls = []
    real = host_check.check_host

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "check_host", counted)
    services._cache.clear()
    yield calls
    services._cache.clear()


def test_the_page_shows_each_layer_as_probed(app, admin_client, probes):
    app.config["SANDBOX_MEMORY_MB"] = 1536
    page = admin_client.get("/admin/system")
    assert page.status_code == 200
    states = _states(page.text)
    abi = _landlock_abi()
    assert states["Landlock"][0] == ("active" if abi >= 1 else "off")
    if abi:
        assert f"ABI {abi}" in states["Landlock"][1]
    assert states["Other files hidden"][0] == ("active" if abi >= 1 or os.geteuid() == 0 else "off")
    assert states["Own uid"][0] == ("active" if os.geteuid() == 0 else "off")
    assert states["seccomp"][0] == ("active" if os.uname().machine == "x86_64" else "off")
    assert states["No network (own namespace)"][0] == ("active" if os.geteuid() == 0 else "off")
    assert states["Memory limit"] == (
        "active",
        "address space limited to 1.5 GB (a run's limit: 1.5 GB)",  # 1536 MB
    )
    assert probes == [1]


def test_the_check_is_kept_until_asked_again(app, admin_client, probes):
    first = admin_client.get("/admin/system").text
    again = admin_client.get("/admin/system").text
    assert probes == [1]
    stamp = re.compile(r"at (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC")
    assert stamp.search(first).group(1) == stamp.search(again).group(1)
    assert admin_client.post("/admin/system/check", csrf=False).status_code == 400
    assert probes == [1]  # no CSRF token, no new check
    response = admin_client.post("/admin/system/check")
    assert response.status_code == 303 and response.headers["Location"] == "/admin/system"
    assert probes == [1, 1]
    app.config["SANDBOX_CHECK_MAX_AGE"] = 0  # everything is stale now
    admin_client.get("/admin/system")
    assert probes == [1, 1, 1]


@pytest.mark.skipif(os.geteuid() != 0, reason="the mount namespace needs root")
def test_without_landlock_the_page_shows_the_mount_namespace(admin_client, probes, monkeypatch):
    monkeypatch.setenv("SANDBOX_LANDLOCK", "off")
    states = _states(admin_client.get("/admin/system").text)
    assert states["Landlock"][0] == "off" and "SANDBOX_LANDLOCK=off" in states["Landlock"][1]
    assert states["Mount namespace (without Landlock)"][0] == "active"
    assert states["Other files hidden"] == ("active", "reading a file outside the run: ENOENT")


def test_only_admins_see_it(client, buyer_client, seller_client, admin_client, probes):
    assert client.get("/admin/system").status_code == 302
    assert buyer_client.get("/admin/system").status_code == 403
    assert seller_client.get("/admin/system").status_code == 403
    assert seller_client.post("/admin/system/check").status_code == 403
    assert probes == []
    assert "/admin/system" in admin_client.get("/admin/").text
