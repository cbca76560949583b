"""The reviewer's decision: approve or return with a comment."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

DECISIONS = {"approve": "同意", "return": "退回修改"}


class ReviewSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    decision = fields.String(
        required=True,
        validate=validate.OneOf(list(DECISIONS), error="请选择审核结果"),
        error_messages={"required": "请选择审核结果"},
    )
    comment = fields.String(load_default="", validate=validate.Length(max=2000, error="意见最多 2000 字"))

    @validates_schema
    def _comment_on_return(self, data, **_kwargs):
        if data.get("decision") == "return" and not (data.get("comment") or "").strip():
            raise ValidationError("退回时请填写修改意见", field_name="comment")


def validate_review(payload) -> dict:
    data = ReviewSchema().load(payload if isinstance(payload, dict) else {})
    data["comment"] = (data.get("comment") or "").strip()
    return data
