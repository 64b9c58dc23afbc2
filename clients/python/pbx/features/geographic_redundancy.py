"""
The Geographic Redundancy Guide's Python API, as a client of a running geored's REST API.

    from pbx.features.geographic_redundancy import get_geographic_redundancy, HealthState
    geo = get_geographic_redundancy()
    print(geo.get_active_region()['name'])

Method names, arguments and return shapes are the guide's; each method is one REST call under
/api/framework/geographic-redundancy (GET /api/calls for calls). geored is found at GEORED_URL (default
http://127.0.0.1:8080, the API address of geored's embedded defaults) and the bearer token is read from
GEORED_API_TOKEN. Standard library only (urllib, json, threading); Python 3.9+.

Errors: every refused request raises a GeoRedundancyError subclass whose message names what failed and
why, with `status`, `code`, `field` (the request field at fault, for validation errors) and `region`
(for errors about one region): RegionNotFoundError, ValidationError, AuthenticationError, ConflictError,
NotFoundError; a geored that cannot be reached raises GeoredUnavailableError.
"""

import json
import os
import threading
import urllib.error
import urllib.parse
import urllib.request
from enum import Enum
from typing import Any, Callable, Dict, List, Optional

__all__ = [
    "AuthenticationError",
    "ConflictError",
    "GeoRedundancyError",
    "GeoredUnavailableError",
    "GeographicRedundancy",
    "HealthState",
    "NotFoundError",
    "RegionNotFoundError",
    "ValidationError",
    "get_geographic_redundancy",
]

GEO_PREFIX = "/api/framework/geographic-redundancy"
DEFAULT_URL = "http://127.0.0.1:8080"


class HealthState(str, Enum):
    """The guide's five health states. A str, so `health['state'] == HealthState.HEALTHY` holds."""

    HEALTHY = "healthy"
    WARNING = "warning"
    CRITICAL = "critical"
    DOWN = "down"
    DEGRADED = "degraded"

    def __str__(self) -> str:
        return self.value


class GeoRedundancyError(Exception):
    """A request geored refused (or could not be made). `str(e)` is one line: what failed and why."""

    def __init__(
        self,
        message: str,
        status: Optional[int] = None,
        code: Optional[str] = None,
        field: Optional[str] = None,
        region: Optional[str] = None,
    ):
        super().__init__(message)
        self.status = status
        self.code = code
        self.field = field
        self.region = region


class GeoredUnavailableError(GeoRedundancyError):
    """geored could not be reached (connection refused, timeout, DNS)."""


class AuthenticationError(GeoRedundancyError):
    """401: no or a wrong token in GEORED_API_TOKEN; 403: a read-only token asked for a change."""


class ValidationError(GeoRedundancyError):
    """400: a request field is wrong; `field` names it (e.g. 'priority', 'weights.us-east-1')."""


class NotFoundError(GeoRedundancyError):
    """404: no such route (an older geored) or no such object."""


class RegionNotFoundError(NotFoundError):
    """404: no region by that name; `region` is the name asked for."""


class ConflictError(GeoRedundancyError):
    """409: the request conflicts with the state (a region that exists, an ineligible failover target)."""


def _error_class(status: int, code: Optional[str]):
    if status in (401, 403):
        return AuthenticationError
    if status == 400:
        return ValidationError
    if status == 404:
        return RegionNotFoundError if code and code.endswith("UNKNOWN_REGION") else NotFoundError
    if status == 409:
        return ConflictError
    return GeoRedundancyError


class GeographicRedundancy:
    """The guide's `geo` object, talking to one geored."""

    def __init__(self, url: Optional[str] = None, token: Optional[str] = None, timeout: float = 10.0):
        self.url = (url or os.environ.get("GEORED_URL") or DEFAULT_URL).rstrip("/")
        parsed = urllib.parse.urlparse(self.url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise GeoRedundancyError(
                "GEORED_URL %r is not an http:// or https:// URL (e.g. http://127.0.0.1:8080)" % self.url
            )
        self.token = token if token is not None else os.environ.get("GEORED_API_TOKEN")
        self.timeout = timeout
        self._custom_fns: Dict[str, Callable[[Dict[str, Any]], bool]] = {}
        self._custom_checks: Dict[str, threading.Thread] = {}
        self._stop = threading.Event()

    # -- plumbing ---------------------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        body: Any = None,
        query: Optional[Dict[str, Any]] = None,
        region: Optional[str] = None,
    ) -> Any:
        url = self.url + path
        if query:
            pairs = {k: v for k, v in query.items() if v is not None}
            if pairs:
                url += "?" + urllib.parse.urlencode(pairs)
        data = None
        headers = {"accept": "application/json"}
        if self.token:
            headers["authorization"] = "Bearer " + self.token
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["content-type"] = "application/json"
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        what = "%s %s" % (method, path)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as res:
                text = res.read().decode("utf-8")
                return json.loads(text) if text else None
        except urllib.error.HTTPError as e:
            raise self._failure(what, e.code, e.read().decode("utf-8", "replace"), region) from None
        except urllib.error.URLError as e:
            reason = e.reason
            why = getattr(reason, "strerror", None) or str(reason)
            if isinstance(reason, ConnectionRefusedError):
                why = "connection refused (is `geored serve` running there?)"
            raise GeoredUnavailableError("%s: cannot reach geored at %s: %s" % (what, self.url, why)) from None
        except OSError as e:  # timeouts and resets after the connection was made
            raise GeoredUnavailableError("%s: cannot reach geored at %s: %s" % (what, self.url, e)) from None

    def _failure(self, what: str, status: int, text: str, region: Optional[str]) -> GeoRedundancyError:
        code = message = field = None
        try:
            err = json.loads(text).get("error", {})
            code, message, field = err.get("code"), err.get("message"), err.get("field")
        except (ValueError, AttributeError):
            pass
        if status == 401:
            line = "geored at %s %s (401 %s)" % (
                self.url,
                "refused the token in GEORED_API_TOKEN" if self.token else "needs a token: set GEORED_API_TOKEN",
                code or "",
            )
        elif message:
            line = "%d %s%s: %s" % (status, code or "", " (field %s)" % field if field else "", message)
        else:
            line = "%d from %s, not a geored error body: %s" % (status, self.url, text[:120])
        # `region` is the region the call was about, so a caller can tell which one a 404 or 409 concerns.
        return _error_class(status, code)(
            "%s: %s" % (what, line.strip()), status=status, code=code, field=field, region=region
        )

    @staticmethod
    def _region_path(name: str, suffix: str = "") -> str:
        return "%s/regions/%s%s" % (GEO_PREFIX, urllib.parse.quote(name, safe=""), suffix)

    @staticmethod
    def _fields(**kwargs: Any) -> Dict[str, Any]:
        """The arguments that were given (None means "not given": the API keeps what is in force)."""
        return {k: v for k, v in kwargs.items() if v is not None}

    # -- regions ----------------------------------------------------------------------------------------

    def register_region(
        self,
        name: str,
        trunk_id: str,
        sip_server: str,
        priority: int,
        location: Optional[str] = None,
        capabilities: Optional[List[str]] = None,
        **extra: Any,
    ) -> Dict[str, Any]:
        """POST /region. Extra fields (weight, latitude, longitude, timezone, http_check_url, ...) pass through."""
        body = self._fields(
            name=name,
            trunk_id=trunk_id,
            sip_server=sip_server,
            priority=priority,
            location=location,
            capabilities=capabilities,
            **extra,
        )
        return self._request("POST", GEO_PREFIX + "/region", body, region=name)

    def get_regions(self) -> List[Dict[str, Any]]:
        """GET /regions: [{name, priority, health_state, is_active, last_check}]."""
        return self._request("GET", GEO_PREFIX + "/regions")["regions"]

    list_regions = get_regions

    def get_region(self, name: str) -> Dict[str, Any]:
        return self._request("GET", self._region_path(name), region=name)

    def update_region(self, name: str, **fields: Any) -> Dict[str, Any]:
        return self._request("PATCH", self._region_path(name), fields, region=name)

    def remove_region(self, name: str) -> None:
        self._request("DELETE", self._region_path(name), region=name)

    def get_active_region(self) -> Optional[Dict[str, Any]]:
        """GET /active-region: {name, trunk_id, priority, health_state, active_since}; None when none is active."""
        try:
            return self._request("GET", GEO_PREFIX + "/active-region")
        except NotFoundError as e:
            if e.code == "API_NO_ACTIVE_REGION":
                return None
            raise

    def get_region_health(self, name: str) -> Dict[str, Any]:
        """{region, state, reason, score, last_check, registration, checks, ...}; compare state to HealthState."""
        health = self._request("GET", self._region_path(name, "/health"), region=name)
        health["state"] = HealthState(health["state"])
        return health

    def get_region_metrics(self, name: str) -> Dict[str, Any]:
        """{uptime_percentage, average_latency_ms, calls_handled, failover_count, last_failover}."""
        return self._request("GET", self._region_path(name, "/metrics"), region=name)

    # -- failover ---------------------------------------------------------------------------------------

    def manual_failover(
        self, target_region: str, reason: Optional[str] = None, force: Optional[bool] = None
    ) -> Dict[str, Any]:
        """POST /failover: {success, from_region, to_region, reason, occurred_at}."""
        body = self._fields(target_region=target_region, reason=reason, force=force)
        return self._request("POST", GEO_PREFIX + "/failover", body, region=target_region)

    def get_failover_history(self, limit: Optional[int] = None) -> List[Dict[str, Any]]:
        """GET /failover-history: [{from_region, to_region, reason, automatic, occurred_at, ...}], newest first."""
        return self._request("GET", GEO_PREFIX + "/failover-history", query={"limit": limit})["failovers"]

    def test_failover(self, from_region: str, to_region: str, dry_run: bool = True) -> Dict[str, Any]:
        """POST /test-failover: the plan and the checks; dry_run=True (the default) changes nothing."""
        body = {"from_region": from_region, "to_region": to_region, "dry_run": dry_run}
        return self._request("POST", GEO_PREFIX + "/test-failover", body)

    def schedule_failover(
        self, target_region: str, start_time: str, duration: float, reason: Optional[str] = None
    ) -> Dict[str, Any]:
        """POST /scheduled-failovers: a maintenance window; answers {id, status, ...}."""
        body = self._fields(target_region=target_region, start_time=start_time, duration=duration, reason=reason)
        return self._request("POST", GEO_PREFIX + "/scheduled-failovers", body, region=target_region)

    def simulate_failure(self, region: str, duration: float) -> Dict[str, Any]:
        """POST /simulate-failure (the DR drill): region looks DOWN to geored for `duration` seconds."""
        return self._request(
            "POST", GEO_PREFIX + "/simulate-failure", {"region": region, "duration": duration}, region=region
        )

    def end_simulation(self, region: Optional[str] = None) -> List[Dict[str, Any]]:
        """POST /end-simulation: of `region`, or of every region."""
        return self._request("POST", GEO_PREFIX + "/end-simulation", self._fields(region=region), region=region)[
            "ended"
        ]

    # -- settings ---------------------------------------------------------------------------------------

    def configure_health_check(
        self,
        interval: Optional[float] = None,
        timeout: Optional[float] = None,
        retry_count: Optional[int] = None,
        check_methods: Optional[List[str]] = None,
        **extra: Any,
    ) -> Dict[str, Any]:
        """PUT /health-check with the fields given; answers the settings now in force."""
        body = self._fields(
            interval=interval, timeout=timeout, retry_count=retry_count, check_methods=check_methods, **extra
        )
        return self._request("PUT", GEO_PREFIX + "/health-check", body)

    def configure_failover(
        self,
        automatic: Optional[bool] = None,
        min_failure_duration: Optional[float] = None,
        failover_delay: Optional[float] = None,
    ) -> Dict[str, Any]:
        body = self._fields(
            automatic=automatic, min_failure_duration=min_failure_duration, failover_delay=failover_delay
        )
        return self._request("PUT", GEO_PREFIX + "/failover-config", body)

    def configure_failback(
        self,
        enabled: Optional[bool] = None,
        delay: Optional[float] = None,
        health_threshold: Optional[float] = None,
        automatic: Optional[bool] = None,
    ) -> Dict[str, Any]:
        body = self._fields(enabled=enabled, delay=delay, health_threshold=health_threshold, automatic=automatic)
        return self._request("PUT", GEO_PREFIX + "/failback-config", body)

    def enable_geo_load_balancing(
        self, strategy: str, weights: Optional[Dict[str, float]] = None
    ) -> Dict[str, Any]:
        return self._request("PUT", GEO_PREFIX + "/load-balancing", self._fields(strategy=strategy, weights=weights))

    def configure_time_based_routing(self, rules: Dict[str, str], timezone: Optional[str] = None) -> Dict[str, Any]:
        """{'00:00-08:00': 'eu-west-1', ...}: local time ranges to regions."""
        return self._request(
            "PUT", GEO_PREFIX + "/time-based-routing", self._fields(rules=rules, timezone=timezone)
        )

    # -- custom checks ----------------------------------------------------------------------------------

    def push_check_result(self, region: str, check: str, status: str, note: Optional[str] = None) -> None:
        """POST /regions/{region}/checks/{check}: a TTL check's result, 'pass', 'warn' or 'fail'."""
        self._request(
            "POST", self._region_path(region, "/checks/" + urllib.parse.quote(check, safe="")),
            self._fields(status=status, note=note), region=region,
        )

    def run_health_check_method(self, name: str) -> Dict[str, bool]:
        """Runs the custom check `name` once for every region and pushes each result; {region: passed}."""
        fn = self._custom_fns[name]
        results: Dict[str, bool] = {}
        for status in self.get_regions():
            region = self.get_region(status["name"])
            try:
                ok = bool(fn(region))
                note = None
            except Exception as e:  # a check that raises has failed; say why in the push
                ok, note = False, "%s: %s" % (type(e).__name__, e)
            self.push_check_result(region["name"], name, "pass" if ok else "fail", note)
            results[region["name"]] = ok
        return results

    def add_health_check_method(self, name: str, fn: Callable[[Dict[str, Any]], bool], interval: Optional[float] = None):
        """
        The guide's custom health check. `fn(region)` runs here, in the client, with the region as
        registered (name, sip_server, ...); its truth is pushed to geored as the TTL check `name`
        (declared in geored's config.yml: health_check.custom_checks [{name, type: ttl, ttl}], and
        counted once check_methods names it). It runs once now (so errors surface at once), then every
        `interval` seconds (default: the health-check interval in force) in a daemon thread, which ends
        with the program or with stop_health_check_methods(). Returns {region: passed} of the first run.
        """
        self._custom_fns[name] = fn
        first = self.run_health_check_method(name)
        every = interval if interval is not None else float(self._request("GET", GEO_PREFIX + "/health-check")["interval"])

        def loop() -> None:
            while not self._stop.wait(every):
                try:
                    self.run_health_check_method(name)
                except GeoRedundancyError:
                    pass  # geored away for a moment: the TTL notices if it lasts

        thread = threading.Thread(target=loop, name="geored-check-" + name, daemon=True)
        thread.start()
        self._custom_checks[name] = thread
        return first

    def stop_health_check_methods(self) -> None:
        self._stop.set()

    # -- alerts (issue 9) and data replication / residency / GDPR (issue 11) ------------------------------

    def configure_alerts(
        self,
        email: Optional[List[str]] = None,
        sms: Optional[List[str]] = None,
        webhook: Optional[str] = None,
        on_events: Optional[List[str]] = None,
        **extra: Any,
    ) -> Dict[str, Any]:
        """PUT /alerts with the guide's arguments (plus channel settings in `extra`)."""
        body = self._fields(email=email, sms=sms, webhook=webhook, on_events=on_events, **extra)
        return self._request("PUT", GEO_PREFIX + "/alerts", body)

    def get_alerts(self) -> Dict[str, Any]:
        return self._request("GET", GEO_PREFIX + "/alerts")

    def test_alerts(self) -> Any:
        """POST /alerts/test: a test alert to every configured channel; per channel {channel, target, status}."""
        return self._request("POST", GEO_PREFIX + "/alerts/test", {})

    def enable_data_replication(
        self, data_types: List[str], sync_interval: Optional[float] = None, bidirectional: Optional[bool] = None
    ) -> Dict[str, Any]:
        body = self._fields(data_types=data_types, sync_interval=sync_interval, bidirectional=bidirectional)
        return self._request("PUT", GEO_PREFIX + "/data-replication", body)

    def replicate_cdr(self, target_regions: List[str], realtime: Optional[bool] = None) -> Dict[str, Any]:
        body = self._fields(target_regions=target_regions, realtime=realtime)
        return self._request("PUT", GEO_PREFIX + "/cdr-replication", body)

    def configure_data_residency(self, region: str, constraints: Dict[str, Any]) -> Dict[str, Any]:
        return self._request("PUT", self._region_path(region, "/data-residency"), constraints, region=region)

    def enable_gdpr_compliance(
        self,
        region: str,
        data_processing_agreement: Optional[bool] = None,
        user_consent_required: Optional[bool] = None,
    ) -> Dict[str, Any]:
        body = self._fields(
            data_processing_agreement=data_processing_agreement, user_consent_required=user_consent_required
        )
        return self._request("PUT", self._region_path(region, "/gdpr"), body, region=region)

    def get_replication_status(self) -> Dict[str, Any]:
        return self._request("GET", GEO_PREFIX + "/replication/status")

    # -- calls ------------------------------------------------------------------------------------------

    def get_calls(self, limit: Optional[int] = None, region: Optional[str] = None) -> List[Dict[str, Any]]:
        """GET /api/calls: call records, newest first, with every region tried."""
        return self._request("GET", "/api/calls", query={"limit": limit, "region": region})["calls"]


_instances: Dict[tuple, GeographicRedundancy] = {}
_lock = threading.Lock()


def get_geographic_redundancy(url: Optional[str] = None, token: Optional[str] = None) -> GeographicRedundancy:
    """The guide's accessor: one client per (URL, token), from GEORED_URL / GEORED_API_TOKEN by default."""
    key = (url or os.environ.get("GEORED_URL") or DEFAULT_URL, token if token is not None else os.environ.get("GEORED_API_TOKEN"))
    with _lock:
        if key not in _instances:
            _instances[key] = GeographicRedundancy(url=key[0], token=key[1])
        return _instances[key]
