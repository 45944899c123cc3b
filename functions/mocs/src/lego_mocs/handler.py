"""Routes of the mocs function: routeKey -> parse, call one service function, return."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lego_common import http
from lego_common.http import Created
from lego_mocs import service
from lego_mocs.models import MocCreate, MocListQuery, MocPatch

if TYPE_CHECKING:
    from collections.abc import Mapping

    from lego_common.http import Page, Request
    from lego_common.serialization import RawJson
    from lego_mocs.models import Moc, MocDeleted


def list_mocs(req: Request) -> Page:
    return service.list_mocs(req.user_id, req.query_as(MocListQuery))


def get_moc(req: Request) -> RawJson:
    return service.get_moc(req.user_id, req.path_uuid("id"))


def create_moc(req: Request) -> Created:
    return Created(service.create_moc(req.user_id, req.body_as(MocCreate)))


def update_moc(req: Request) -> Moc:
    return service.update_moc(req.user_id, req.path_uuid("id"), req.body_as(MocPatch))


def delete_moc(req: Request) -> MocDeleted:
    return service.delete_moc(req.user_id, req.path_uuid("id"))


ROUTES = {
    "GET /api/mocs": list_mocs,
    "POST /api/mocs": create_moc,
    "GET /api/mocs/{id}": get_moc,
    "PATCH /api/mocs/{id}": update_moc,
    "DELETE /api/mocs/{id}": delete_moc,
}
_http_handler = http.dispatcher(ROUTES)


def _scheduled() -> dict[str, Any]:
    """The hourly EventBridge schedule (no routeKey): retry the files MOC deletes left."""
    from lego_common import log as logging

    logging.configure()
    result = service.sweep_pending_deletes()
    return {"deleted": len(result.deleted), "failed": len(result.failed)}


def lambda_handler(event: Mapping[str, Any], context: Any = None) -> dict[str, Any]:
    if event.get("source") == "aws.events":
        return _scheduled()
    return _http_handler(event, context)
