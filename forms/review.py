"""The reviewer's decision: approve or return with a comment; the subject's acknowledgement of a conclusion."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates, validates_schema

from .text import clean_text, length_error

DECISIONS = {"approve": "同意", "return": "退回修改"}
MAX_COMMENT = 2000


class ReviewSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    decision = fields.String(
        required=True,
        validate=validate.OneOf(list(DECISIONS), error="请选择审核结果"),
        error_messages={"required": "请选择审核结果"},
    )
    comment = fields.String(load_default="")

    @validates("comment")
    def _comment_length(self, value, **_kwargs):
        too_long = length_error(clean_text(value), MAX_COMMENT)
        if too_long:
            raise ValidationError(too_long)

    @validates_schema
    def _comment_on_return(self, data, **_kwargs):
        if data.get("decision") == "return" and not clean_text(data.get("comment")):
            raise ValidationError("退回时请填写修改意见", field_name="comment")


_REVIEW = ReviewSchema()  # built once; loading does not change it


def validate_review(payload) -> dict:
    data = _REVIEW.load(payload if isinstance(payload, dict) else {})
    data["comment"] = clean_text(data.get("comment"))
    return data


def validate_ack(payload) -> dict:
    """An acknowledgement with an optional note; a note over the limit is refused, never cut."""
    comment = clean_text((payload or {}).get("comment") if isinstance(payload, dict) else "")
    too_long = length_error(comment, MAX_COMMENT)
    if too_long:
        raise ValidationError({"comment": [too_long]})
    return {"decision": "ack", "comment": comment}


# Cycle steps 2 and 3 (a lead department's basic standards, a template owner's templates) and the target
# optimisation of years two and three: what was revised, or why nothing needed to be this year.
CONFIRMATIONS = {"revised": "已修订", "unchanged": "本年无需修订"}
OPTIMISATIONS = {"revised": "优化目标", "unchanged": "无需优化"}  # the same decisions at 1 目标优化


def validate_confirmation(payload) -> dict:
    """A confirmation: revised (what) or unchanged (why); the note is required either way."""
    data = payload if isinstance(payload, dict) else {}
    decision = data.get("decision")
    comment = clean_text(data.get("comment"))
    errors = {}
    if decision not in CONFIRMATIONS:
        errors["decision"] = ["请选择已修订或本年无需修订"]
    if not comment:
        errors["comment"] = ["请说明修订或优化的内容" if decision == "revised" else "请说明无需修订或优化的理由"]
    elif too_long := length_error(comment, MAX_COMMENT):
        errors["comment"] = [too_long]
    if errors:
        raise ValidationError(errors)
    return {"decision": decision, "comment": comment}
