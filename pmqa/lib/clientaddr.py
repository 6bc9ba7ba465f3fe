"""The address a request came from: the connection's, or the one a trusted proxy names."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, unless the connection comes from a proxy named in PMQA_TRUSTED_PROXIES
    (nginx on the same machine by default): then the nearest address in X-Forwarded-For that
    is not one of those proxies. A client can put anything in that header, so only the part
    our own proxies appended is believed; without a trusted proxy the header is ignored."""
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    trusted = set(settings.PMQA_TRUSTED_PROXIES)
    if remote is None or remote not in trusted:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for part in reversed(forwarded.split(",")):
        found = _address(part)
        if found is None:
            return remote  # a malformed hop: believe no further than our proxy
        if found not in trusted:
            return found
    return remote
