"""The `orgadmin` blueprint and who may use it."""

from __future__ import annotations

from flask import Blueprint, request
from flask_login import current_user

from engine import org
from engine.core.errors import N_, NotFound

from ..helpers import principals

bp = Blueprint("orgadmin", __name__, url_prefix="/admin")

HEAD_ENDPOINTS = ("orgadmin.positions", "orgadmin.assign_position", "orgadmin.end_position")


def is_admin() -> bool:
    return bool(current_user.is_admin)


def headed_units() -> list[int]:
    return org.head_units(principals())


@bp.before_request
def _administrators_and_heads():
    if not current_user.is_authenticated:
        return None  # each view is login_required: the login page
    if is_admin():
        return None
    if request.endpoint in HEAD_ENDPOINTS and headed_units():
        return None
    raise NotFound(N_("页面不存在"))


@bp.before_app_request
def _rosters_may_be_larger_than_attachments():
    """A roster upload may be up to the import's limit (the app's upload limit is for attachments); this
    runs before the CSRF check reads the form."""
    if request.endpoint == "orgadmin.upload":
        from engine.org.importing import MAX_BYTES

        request.max_content_length = MAX_BYTES + 256 * 1024  # the form's other fields and multipart framing
