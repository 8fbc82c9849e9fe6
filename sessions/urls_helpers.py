"""Absolute URLs of a session, as createsession prints them and the organiser page shows them."""

from urllib.parse import urlencode

from django.urls import reverse

from sessions.models import Workshop


def session_urls(*, workshop: Workshop, base_url: str) -> dict:
    base = base_url.rstrip("/")
    ws_base = "ws" + base[len("http") :] if base.startswith("http") else base
    key = urlencode({"key": workshop.projector_key})
    code = workshop.code
    return {
        "code": code,
        "join_url": base + reverse("join", args=[code]),
        "projector_url": f"{base}{reverse('projector', args=[code])}?{key}",
        "organiser_url": base + reverse("organiser-session", args=[code]),
        "chair_urls": [
            base + reverse("chair", args=[code, table.chair_key])
            for table in workshop.tables.order_by("number")
        ],
        "results_url": f"{base}{reverse('results-json', args=[code])}?{key}",
        "live_url": f"{ws_base}/ws/s/{code}/live/?{key}",
        "export_url": base + reverse("export-xlsx", args=[code]),
    }
