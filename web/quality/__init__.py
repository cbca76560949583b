"""质量评价: the hub of the year's judgement (seed §六(二)7(4)-(5)). Each part hangs its own card on the hub
(templates/quality/_card_<part>.html, included when present) and decides itself whom to show it to; the
pages behind a card check permissions themselves."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("quality", __name__, url_prefix="/quality")

CARDS = ("leaders", "assessment", "credits", "reports", "data")


@bp.get("/")
@login_required
def index():
    return render_template("quality/index.html", cards=[f"quality/_card_{c}.html" for c in CARDS])
