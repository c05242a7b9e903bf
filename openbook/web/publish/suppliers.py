"""Supplier registration in the publish API: administrators register suppliers, a supplier keeps
its entry and its share codes with its own key, and a buyer reads a supplier's private
information with a share code: thin adapters over openbook.suppliers (docs/suppliers.md)."""

import re

from django.http import HttpRequest, HttpResponse
from ninja import Router
from orjson import dumps

from openbook import registers, suppliers
from openbook.publishing.answers import Refused
from openbook.store.database import Store
from openbook.store.publishers import Key
from openbook.store.share_codes import ShareCode
from openbook.web.publish.auth import (
    ORGANISATION,
    PLATFORM,
    PUBLISH_KEY,
    SUPPLIER_OWN,
    actor,
    scoped,
)
from openbook.web.publish.errors import PublishError
from openbook.web.publish.registers import if_match
from openbook.web.publish.requests import read_json
from openbook.web.publish.schemas import ERRORS

router = Router(auth=PUBLISH_KEY, tags=["Suppliers"])
_CODE_ID = re.compile(r"[a-z2-7]{12}")


def _json(value: object, status: int, **headers: str) -> HttpResponse:
    response = HttpResponse(dumps(value), status=status, content_type="application/json")
    for name, header in headers.items():
        response[name] = header
    return response


def _refused(refused: Refused) -> PublishError:
    return PublishError(refused.status, refused.code, refused.message, refused.problems)


def _code(code: ShareCode) -> dict:
    return {
        "id": code.code_id,
        "expires": code.expires,
        "created": code.created_time,
        "revoked": code.revoked_time,
    }


@router.post(
    "/suppliers",
    response={201: dict, **ERRORS},
    summary="Register a supplier (administrator keys)",
    description=(
        "Registers a supplier with its core information (docs/suppliers.md lists the fields) "
        "and answers its new supplier number (GB-OPENBOOK-XXXX-XXXX-C) and its supplier key, "
        "shown once. 409 if one of its identifiers is another supplier's."
    ),
)
@scoped(PLATFORM)
def register(request: HttpRequest):
    key: Key = request.auth
    sent = read_json(request)
    try:
        made = suppliers.register(
            Store(), sent, administrator=key.organisation, actor=actor(request)
        )
    except Refused as refused:
        raise _refused(refused) from None
    entry = made.recorded.entry
    return _json(
        {"entry": registers.described(entry), "key": made.key},
        201,
        ETag=f'"{entry.version}"',
        Location=f"/api/registers/suppliers/{entry.entry_id}",
    )


@router.get(
    "/supplier",
    response={200: dict, **ERRORS},
    summary="Your supplier entry, with its private part (supplier keys)",
)
@scoped(SUPPLIER_OWN)
def own(request: HttpRequest):
    key: Key = request.auth
    found = suppliers.own(Store(), key.organisation)
    return _json(found, 200, ETag=f'"{found["version"]}"')


@router.put(
    "/supplier",
    response={200: dict, 201: dict, **ERRORS},
    summary="Change your supplier entry (supplier keys)",
    description=(
        "The whole entry as it should now stand, with `If-Match` naming the version changed. "
        "201 with the new version; 200 when nothing changed."
    ),
)
@scoped(SUPPLIER_OWN)
def change(request: HttpRequest):
    key: Key = request.auth
    replaces = if_match(request)
    sent = read_json(request)
    try:
        found = suppliers.change(Store(), key.organisation, sent, replaces, actor(request))
    except Refused as refused:
        raise _refused(refused) from None
    status = 200 if found.outcome == "unchanged" else 201
    body = {"outcome": found.outcome, "entry": registers.described(found.entry)}
    return _json(body, status, ETag=f'"{found.entry.version}"')


@router.post(
    "/supplier/share-codes",
    response={201: dict, **ERRORS},
    summary="Give a buyer a share code (supplier keys)",
    description=(
        'Body `{"buyer": IDENTIFIER, "expires": "YYYY-MM-DD"}`: a code that lets that buyer, '
        "and no other, read your private information until the end of that day (at most a "
        "year ahead). The code is answered once."
    ),
)
@scoped(SUPPLIER_OWN)
def share(request: HttpRequest):
    key: Key = request.auth
    sent = read_json(request)
    if not isinstance(sent, dict):
        raise PublishError(400, "body-not-object", 'send {"buyer": ..., "expires": ...}')
    try:
        made = suppliers.share(
            Store(), key.organisation, sent.get("buyer"), sent.get("expires"), actor(request)
        )
    except Refused as refused:
        raise _refused(refused) from None
    return _json({**_code(made.code), "code": made.secret}, 201)


@router.get(
    "/supplier/share-codes",
    response={200: dict, **ERRORS},
    summary="Your share codes (supplier keys)",
)
@scoped(SUPPLIER_OWN)
def share_codes(request: HttpRequest):
    key: Key = request.auth
    found = suppliers.codes(Store(), key.organisation)
    return _json({"shareCodes": [_code(code) for code in found]}, 200)


@router.delete(
    "/supplier/share-codes/{code_id}",
    response={204: None, **ERRORS},
    summary="Revoke a share code (supplier keys)",
)
@scoped(SUPPLIER_OWN)
def revoke(request: HttpRequest, code_id: str):
    key: Key = request.auth
    if not _CODE_ID.fullmatch(code_id):
        raise PublishError(404, "not-found", f"{code_id[:40]!r} is not a share code's id")
    try:
        suppliers.revoke(Store(), key.organisation, code_id, actor(request))
    except registers.UnknownEntry as error:
        raise PublishError(404, "not-found", str(error)) from None
    except Refused as refused:
        raise _refused(refused) from None
    return HttpResponse(status=204)


@router.post(
    "/suppliers/{supplier}/shared",
    response={200: dict, **ERRORS},
    summary="A supplier's private information, with its share code (publisher keys)",
    description=(
        'Body `{"shareCode": "obs_..."}`, the code the supplier gave your organisation. '
        "Every use is recorded. 403 if the code is another buyer's, expired or revoked."
    ),
)
@scoped(ORGANISATION)
def shared(request: HttpRequest, supplier: str):
    key: Key = request.auth
    sent = read_json(request)
    code = sent.get("shareCode") if isinstance(sent, dict) else None
    try:
        return _json(
            suppliers.read_shared(Store(), key.organisation, supplier, code, actor(request)), 200
        )
    except Refused as refused:
        raise _refused(refused) from None
    except registers.UnknownEntry as error:
        raise PublishError(404, "not-found", str(error)) from None
