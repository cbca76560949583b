"""The push API's part of the OpenAPI description (web/workflow/openapi.py `build` adds it)."""

from __future__ import annotations

from marshmallow import Schema, fields

from .api import API_BATCH_MAX

PATH = "/api/v1/feeds/{feed_key}/records"
DESCRIPTION = (
    "用该信息的推送令牌推送一批记录（最多 {n} 条）。按记录号幂等：重复推送同一批不产生变化；"
    "记录号相同而数据不同则更新。"
    "任一条有误则整批不接收，fields 按 records[序号].数据项 列出每条的错误。"
)
ERRORS = (400, 401, 403, 409, 413, 429)  # 400: a bad batch (per record in `fields`), or no token and no CSRF


class FeedRecordInSchema(Schema):
    record_key = fields.String(
        required=True, metadata={"description": "提供方的记录号；同一信息内唯一，重复推送按它识别"}
    )
    source = fields.String(
        required=True, metadata={"description": "信息源：教师、学生、辅导员的工号或学号，或班级代码"}
    )
    occurred_on = fields.Date(required=True, metadata={"description": "数据所属日期（不晚于今天）"})
    values = fields.Dict(
        required=True,
        keys=fields.String(),
        metadata={"description": "数据项键 → 数值或文字（数据项见该信息的页面）", "additionalProperties": True},
    )


class FeedBatchBodySchema(Schema):
    records = fields.List(
        fields.Nested(FeedRecordInSchema),
        required=True,
        metadata={"minItems": 1, "maxItems": API_BATCH_MAX, "description": "一批记录：任一条有误则整批不接收"},
    )


class FeedIngestResultSchema(Schema):
    batch_id = fields.String(metadata={"description": "本批的编号"})
    created = fields.Integer(metadata={"minimum": 0, "description": "新增的记录数"})
    updated = fields.Integer(metadata={"minimum": 0, "description": "记录号已有、数据有变而更新的记录数"})
    unchanged = fields.Integer(metadata={"minimum": 0, "description": "已收到过且没有变化的记录数"})
    message = fields.String(metadata={"description": "结果说明"})


def add_to(spec, error_names: dict[int, str]) -> None:
    """Add the schemas, the feed token's security scheme, the tag and the operation."""
    spec.components.schema("FeedRecordIn", schema=FeedRecordInSchema)
    spec.components.schema("FeedBatchBody", schema=FeedBatchBodySchema)
    spec.components.schema("FeedIngestResult", schema=FeedIngestResultSchema)
    spec.components.security_scheme(
        "feedToken",
        {"type": "http", "scheme": "bearer", "description": "信息页面上生成的推送令牌"},
    )
    spec.tag({"name": "信息采集", "description": "表 37 教学过程信息：提供方系统推送数据"})
    responses = {"200": {
        "description": "已接收（或已全部收到过）",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FeedIngestResult"}}},
    }}  # fmt: skip
    for code in ERRORS:
        responses[str(code)] = {"$ref": f"#/components/responses/{error_names[code]}"}
    body = {"$ref": "#/components/schemas/FeedBatchBody"}
    key = {"type": "string", "maxLength": 48}
    operation = {
        "tags": ["信息采集"],
        "summary": "推送信息记录",
        "description": DESCRIPTION.format(n=API_BATCH_MAX),
        "security": [{"feedToken": []}],
        "parameters": [{"name": "feed_key", "in": "path", "required": True, "description": "信息的键", "schema": key}],
        "requestBody": {"required": True, "description": "一批记录", "content": {"application/json": {"schema": body}}},
        "responses": responses,
    }
    spec.path(path=PATH, operations={"post": operation})
