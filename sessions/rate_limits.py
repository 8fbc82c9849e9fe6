"""Per-client rate limits on the doors anyone can knock on (joining, logging in).

The counting is the `limits` library's (moving windows, exact; maintained, used by
Flask-Limiter and SlowAPI): in Redis when the cluster shares one (REDIS_URL), so a limit holds
whichever process a request lands on, in this process's memory otherwise (the embedded
default, one process). Keys start with CHANNEL_PREFIX. If Redis cannot be reached the request
is let through: a room must not be locked out because the counter is away.
(django-ratelimit, the other candidate, counts in fixed windows through Django's cache, whose
Redis backend raises on an outage, so a Redis restart would have made joins fail; its last
release is from 2023.)

A `Rule` names a setting that holds its rate (e.g. "600/10 minutes", limits' notation) and a
function that gives the client's key for a request (None: the rule does not apply).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import ngettext
from limits import RateLimitItem, parse, storage, strategies

logger = logging.getLogger(__name__)

_limiters: dict[str, strategies.MovingWindowRateLimiter] = {}


def _limiter() -> strategies.MovingWindowRateLimiter:
    """One per storage URL and process (settings can change in tests)."""
    url = settings.REDIS_URL or "memory://"
    if url not in _limiters:
        options = {"wrap_exceptions": True}
        if settings.REDIS_URL:
            options |= {
                "key_prefix": f"{settings.CHANNEL_PREFIX}:limits",
                "socket_timeout": 2,
                "socket_connect_timeout": 2,
            }
        _limiters[url] = strategies.MovingWindowRateLimiter(
            storage.storage_from_string(url, **options)
        )
    return _limiters[url]


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as the server saw it (behind a proxy, uvicorn --proxy-headers
    puts the forwarded address here, trusting only --forwarded-allow-ips)."""
    return request.META.get("REMOTE_ADDR") or None


def client_cookie(request: HttpRequest) -> str | None:
    """One browser: its CSRF cookie (every form POST carries it; without it the POST was
    refused before the view)."""
    return request.COOKIES.get(settings.CSRF_COOKIE_NAME) or None


@dataclass(frozen=True)
class Rule:
    name: str  # part of the counter's key, e.g. "join-ip"
    setting: str  # the setting with the rate, e.g. "JOIN_RATE_PER_IP"
    key: Callable[[HttpRequest], str | None]

    @property
    def item(self) -> RateLimitItem:
        return parse(getattr(settings, self.setting))


def rule_hit(rule: Rule, request: HttpRequest, *scope: str) -> float | None:
    """Count one request against the rule; None if allowed, else seconds until it is."""
    client = rule.key(request)
    if client is None:
        return None
    limiter, item = _limiter(), rule.item
    try:
        if limiter.hit(item, rule.name, *scope, client):
            return None
        reset = limiter.get_window_stats(item, rule.name, *scope, client).reset_time
    except Exception as error:  # limits.errors.StorageError and connection errors
        logger.warning("rate limit %s: storage unreachable, let through: %s", rule.name, error)
        return None
    return max(1.0, reset - time.time())


def too_many_requests(request: HttpRequest, retry_after: float) -> HttpResponse:
    minutes = max(1, math.ceil(retry_after / 60))
    message = ngettext(
        "Too many attempts from this device or network. Try again in %(minutes)d minute.",
        "Too many attempts from this device or network. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
    response = render(request, "429.html", {"message": message}, status=429)
    response["Retry-After"] = str(math.ceil(retry_after))
    return response


def rate_limited(*rules: Rule, methods: tuple[str, ...] = ("POST",)):
    """Refuse a view's requests (of `methods`) past any rule's rate with the 429 page."""

    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            if request.method in methods:
                for rule in rules:
                    retry_after = rule_hit(rule, request)
                    if retry_after is not None:
                        return too_many_requests(request, retry_after)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def rate_limits_reset() -> None:
    """Forget every count (tests start from zero; counters live for their window)."""
    _limiter().storage.reset()
