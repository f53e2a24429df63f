"""Meta's webhook callback for a Facebook or Instagram source: the address typed in the App
Dashboard (``/sources/meta/<source id>/webhook/``).

Meta checks the address with a GET (``hub.mode=subscribe``, ``hub.verify_token``,
``hub.challenge``) before it delivers anything: the answer is the challenge when the token is the
source's, else 403. Deliveries are POSTs signed with ``X-Hub-Signature-256`` (the app secret's HMAC
of the raw body): they go through the same ingest step as every webhook, by name, and a stored
delivery is answered 200, as Meta asks. Authenticated by the token and the signature, not a session.
"""

from __future__ import annotations

import base64

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from vigie.connectors.actions import webhook_connector
from vigie.connectors.builtin.facebook.meta import MetaConnector
from vigie.connectors.queries import webhook_source
from vigie.core import jobs, pipeline


@csrf_exempt  # called by Meta's servers, authenticated by the verify token and the signature
@require_http_methods(["GET", "POST"])
def meta_webhook(request: HttpRequest, source_id: int) -> HttpResponse:
    """Answer Meta's verification request (GET) or store a signed delivery (POST)."""
    if request.method == "GET":
        return _verification(request, source_id)
    answer = jobs.run_now(
        pipeline.RECEIVE_WEBHOOK_JOB,
        {
            "source_id": source_id,
            "headers": {k.lower(): v for k, v in request.headers.items()},
            "body": base64.b64encode(request.body).decode("ascii"),
        },
    )
    status = int(answer["status"])
    return JsonResponse(answer["body"], status=200 if status == 202 else status)


def _verification(request: HttpRequest, source_id: int) -> HttpResponse:
    source = webhook_source(source_id)
    connector = webhook_connector(source) if source is not None else None
    if not isinstance(connector, MetaConnector):
        return HttpResponse("unknown source", status=404, content_type="text/plain")
    challenge = connector.verify_challenge({key: str(value) for key, value in request.GET.items()})
    if challenge is None:
        return HttpResponse("verification refused", status=403, content_type="text/plain")
    return HttpResponse(challenge, content_type="text/plain")
