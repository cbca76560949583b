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
