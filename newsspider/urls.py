"""Canonical URLs: one spelling per page, so the request fingerprint and article id agree.

Tracking parameters, fragments and AMP/mobile variants all name the same article; they
are folded here and nowhere else.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PARAMS = {
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "mc_cid", "mc_eid", "igshid", "ref",
    "ref_src", "ref_url", "cmpid", "cmp", "ito", "itm_source", "itm_medium", "itm_campaign", "smid",
    "ocid", "sr_share", "_ga", "_gl", "yclid", "spm", "share", "amp", "outputType",
}
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hmb_", "__twitter", "vero_")
AMP_SEGMENT = re.compile(r"/amp(?=/|$)|/amp\.html$|\.amp(?=\.html$|$)")
MOBILE_HOST = re.compile(r"^(m|mobile|amp)\.")


def canonicalize(url: str, fold_mobile_host: bool = False) -> str:
    """The canonical spelling of `url`: lower-case host, no default port, no fragment, no tracking
    parameters, sorted query, AMP path segments removed. `m.` hosts are folded only when asked,
    because some sites serve different content there; the spider asks when the page says so."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if fold_mobile_host:
        host = MOBILE_HOST.sub("", host)
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    path = AMP_SEGMENT.sub("", parts.path) or "/"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


def _is_tracking(key: str) -> bool:
    lowered = key.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def site_of(url: str) -> str:
    """The site name used in records: host (with port when not default) without `www.`."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    return f"{host}:{parts.port}" if parts.port else host
