"""The OpenAPI description of /api/v1 (web/workflow/openapi.py) and API 文档, its Swagger UI page.

The description is public (it holds no data; a client generator fetches it without a token); the page is for
signed-in users (个人设置 links to it) and runs "Try it out" with their session. Swagger UI is served from
node_modules like bpmn-js.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, url_for
from flask_login import login_required

from .openapi import build

bp = Blueprint("api_docs", __name__)


@bp.get("/api/v1/openapi.json")
def openapi():
    description = current_app.extensions.get("zhengai_openapi")
    if description is None:  # built once per app: it names the app's session cookie
        description = current_app.extensions["zhengai_openapi"] = build(current_app.config["SESSION_COOKIE_NAME"])
    return jsonify(description)


@bp.get("/api-docs")
@login_required
def index():
    return render_template("api_docs/index.html", spec_url=url_for("api_docs.openapi"))
