"""The OpenAPI 3 description of /api/v1, built with apispec from the marshmallow schemas the API dumps with.

Every route of the `api` blueprint has its operation here (tests/web/test_openapi.py compares them with the
url_map both ways). Responses name every error the route can answer, all in the one error format; the
response schemas list every property as required and no others (`_close`), so a client (and the schemathesis
run, tests/web/test_openapi_fuzz.py) can rely on them. The description holds no data: it is public.
"""

from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields, validate

from engine.core.errors import MAX_ID

from ..feeds import openapi as feeds_openapi
from .api import (
    DocumentSchema,
    DocumentSlotSchema,
    HistoryEventSchema,
    HistoryStepSchema,
    TaskDetailSchema,
    TaskRowSchema,
    VersionSchema,
)

TITLE = "诊改平台 API"
VERSION = "1"
BATCH_MAX = 200


# -- schemas that exist only in the description: the bodies the views assemble around the dumped schemas ------


class ErrorBodySchema(Schema):
    code = fields.String(metadata={"description": "机器可读的错误码，如 invalid、not_found、conflict、csrf"})
    message = fields.String(metadata={"description": "给用户看的说明（界面语言）"})
    field_errors = fields.Dict(
        data_key="fields",
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "字段名 → 该字段的错误说明；没有字段错误时为空对象"},
    )


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema)


class TaskListItemSchema(TaskRowSchema):
    overdue = fields.Boolean(metadata={"description": "现在是否已超过截止时间"})


class TaskListSchema(Schema):
    items = fields.List(fields.Nested(TaskListItemSchema))
    total = fields.Integer(metadata={"minimum": 0})
    page = fields.Integer(metadata={"minimum": 1})
    per_page = fields.Integer(metadata={"minimum": 1, "maximum": 100})


DOCUMENT_DATA = {
    "type": "object",
    "additionalProperties": True,
    "description": "文档内容（表头与各行），结构由模板决定",
}


class DocumentWithDataSchema(DocumentSchema):
    data = fields.Dict(metadata=DOCUMENT_DATA)


class TaskShowSchema(TaskDetailSchema):
    returned_by_name = fields.String(allow_none=True)
    history = fields.List(fields.Nested(HistoryStepSchema), metadata={"description": "本流程已办理的步骤，按时间先后"})
    document = fields.Nested(DocumentWithDataSchema, metadata={"description": "任务所属的文档（文档流程的任务才有）"})


class DocumentShowSchema(DocumentSchema):
    versions = fields.List(fields.Nested(VersionSchema), metadata={"description": "已发布的版本"})
    data = fields.Dict(metadata=DOCUMENT_DATA)
    version = fields.Integer(metadata={"description": "带 ?version= 时：所看版本的版本号"})


class MyDocumentsSchema(Schema):
    items = fields.List(fields.Nested(DocumentSlotSchema))


class BatchResultSchema(Schema):
    id = fields.Integer(metadata={"description": "任务 id（与请求中的顺序相同，重复的只列一次）"})
    ok = fields.Boolean()
    name = fields.String()
    title = fields.String()
    subject = fields.String()
    message = fields.String(metadata={"description": "结果说明：已同意，或未办成的原因"})


class BatchResultsSchema(Schema):
    results = fields.List(fields.Nested(BatchResultSchema))


class CompleteBodySchema(Schema):
    """The task's form, by the task's kind: a document task sends `document`, a review `decision` and `comment`,
    an acknowledgement `decision` ack, a form task `fields`."""

    document = fields.Dict(metadata={**DOCUMENT_DATA, "description": "填写任务：完整的文档内容"})
    decision = fields.String(metadata={"description": "审核任务：approve（同意）或 return（退回）；确认任务：ack"})
    comment = fields.String(metadata={"description": "审核意见（退回时必填）"})
    form_fields = fields.Dict(data_key="fields", metadata={"description": "表单任务：表单各项（名称 → 值）"})


class DraftBodySchema(Schema):
    document = fields.Dict(required=True, metadata={**DOCUMENT_DATA, "description": "要暂存的文档内容"})


class BatchBodySchema(Schema):
    task_ids = fields.List(
        fields.Integer(metadata={"minimum": 1, "maximum": MAX_ID}),
        required=True,
        metadata={"minItems": 1, "maxItems": BATCH_MAX, "description": "要同意的审核任务"},
    )
    comment = fields.String(metadata={"description": "给每个任务的审核意见"})


class StartBodySchema(Schema):
    subject_id = fields.Integer(required=True, metadata={"description": "我的文档中的对象 id（subject_id）"})
    doc_type = fields.String(
        required=True, validate=validate.OneOf(["target", "standard", "plan"]), metadata={"description": "文档类型"}
    )


# response schemas: every property required, no other property, except these optional ones
RESPONSE_SCHEMAS = {
    "Error": set(),
    "ErrorBody": set(),
    "TaskList": set(),
    "TaskListItem": set(),
    "HistoryEvent": set(),
    "HistoryStep": set(),
    "TaskShow": {"document"},
    "TaskDetail": set(),
    "DocumentWithData": set(),
    "DocumentShow": {"version"},
    "Document": set(),
    "Version": set(),
    "MyDocuments": set(),
    "DocumentSlot": set(),
    "BatchResults": set(),
    "BatchResult": set(),
    "FeedIngestResult": set(),
}


# -- responses ----------------------------------------------------------------------------------------------

ERRORS = {
    400: "请求无效：请求体不是 JSON 对象、字段不合要求（见 fields）、请求中含有空字符（NUL），"
    "或页面会话缺少 X-CSRFToken（code 为 csrf）；未做任何修改",
    401: "未登录，或令牌无效、已撤销、已过期（code 为 unauthorized）",
    403: "无权执行此操作（code 为 forbidden）",
    404: "不存在或无权查看（二者对外一样，code 为 not_found）",
    409: "数据已被他人修改或状态已变（如任务已办结、已被认领），请刷新后重试（code 为 conflict）",
    413: "请求体过大（超过 ZHENGAI_MAX_UPLOAD_MB）",
    429: "请求过于频繁；Retry-After 头给出等待秒数",
    500: "流程在执行后续步骤时出错，操作未生效，已记录并通知管理员（code 为 step_failed）",
}
ERROR_NAMES = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    409: "Conflict",
    413: "PayloadTooLarge",
    429: "TooManyRequests",
    500: "StepFailed",
}


def _ok(schema: str, description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def _body(schema: str, description: str) -> dict:
    ref = {"$ref": f"#/components/schemas/{schema}"}
    return {"required": True, "description": description, "content": {"application/json": {"schema": ref}}}


def _path_id(name: str, description: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    }


def _query(name: str, description: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


TASK_ID = _path_id("task_id", "任务 id")
DOC_ID = _path_id("doc_id", "文档 id")
READ = [{"bearerAuth": []}, {"sessionCookie": []}]
WRITE = [{"bearerAuth": []}, {"sessionCookie": [], "csrfToken": []}]


def _operation(summary, description, ok, errors, *, status=200, security=None, params=(), body=None, tag="任务"):
    responses = {str(status): ok}
    for code in sorted(errors):
        responses[str(code)] = {"$ref": f"#/components/responses/{ERROR_NAMES[code]}"}
    op = {
        "tags": [tag],
        "summary": summary,
        "description": description,
        "security": READ if security is None else security,
        "responses": responses,
    }
    if params:
        op["parameters"] = list(params)
    if body:
        op["requestBody"] = body
    return op


def operations() -> dict[str, dict[str, dict]]:
    """OpenAPI path → method → operation, one for each route of the `api` blueprint."""
    read = {400, 401, 429}  # 400: a NUL character in the path or the query (web/json_request.py)
    write = {400, 401, 409, 413, 429}  # 409: a race lost at commit (web/db.py)
    task_action = write | {403, 404, 409}
    return {
        "/api/v1/openapi.json": {
            "get": _operation(
                "本描述",
                "本 API 的 OpenAPI 3 描述；不含任何数据，无需登录。",
                {"description": "OpenAPI 3 描述", "content": {"application/json": {"schema": {"type": "object"}}}},
                {400, 429},
                security=[],
                tag="描述",
            )
        },
        "/api/v1/tasks": {
            "get": _operation(
                "待办列表",
                "与待办页相同的分页列表。未知的 tab、sort 按默认值处理，page、per_page 不是数字时按默认值处理。",
                _ok("TaskList", "一页任务"),
                read,
                params=[
                    _query(
                        "tab",
                        "mine：我的待办；groups：组待办；claimed：我已认领；done：已办",
                        {"type": "string", "enum": ["mine", "groups", "claimed", "done"], "default": "mine"},
                    ),
                    _query(
                        "sort",
                        "排序：due 截止时间，created 创建时间，name 名称；前加 - 为倒序",
                        {"type": "string", "enum": ["due", "-due", "created", "-created", "name"], "default": "due"},
                    ),
                    _query("page", "页码，从 1 开始", {"type": "integer", "minimum": 1, "default": 1}),
                    _query(
                        "per_page",
                        "每页条数（1-100）",
                        {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
                    ),
                    _query("process", "只看此流程（流程 key）", {"type": "string"}),
                    _query("q", "按标题、对象搜索（最多 50 字）", {"type": "string"}),
                ],
            )  # fmt: skip
        },
        "/api/v1/tasks/{task_id}": {
            "get": _operation(
                "任务详情",
                "任务、本流程的办理记录，文档任务还带文档内容。",
                _ok("TaskShow", "任务"),
                read | {404},
                params=[TASK_ID],
            )
        },
        "/api/v1/tasks/{task_id}/claim": {
            "post": _operation(
                "认领任务",
                "认领组待办中的任务。",
                _ok("TaskDetail", "已认领的任务"),
                task_action - {413},
                security=WRITE,
                params=[TASK_ID],
            )
        },
        "/api/v1/tasks/{task_id}/unclaim": {
            "post": _operation(
                "放回组待办",
                "把自己认领的任务放回组待办。",
                _ok("TaskDetail", "已放回的任务"),
                task_action - {413},
                security=WRITE,
                params=[TASK_ID],
            )
        },
        "/api/v1/tasks/{task_id}/complete": {
            "post": _operation(
                "办理任务",
                "提交任务的表单：填写任务提交 document，审核任务提交 decision 与 comment。"
                "整个操作要么全部生效，要么不生效。",
                _ok("TaskDetail", "已办结的任务"),
                task_action | {500},
                security=WRITE,
                params=[TASK_ID],
                body=_body("CompleteBody", "任务表单"),
            )
        },
        "/api/v1/tasks/{task_id}/draft": {
            "post": _operation(
                "暂存文档",
                "保存填写任务的文档草稿，不提交。",
                _ok("DocumentWithData", "暂存后的文档"),
                task_action,
                security=WRITE,
                params=[TASK_ID],
                body=_body("DraftBody", "文档草稿"),
            )
        },
        "/api/v1/tasks/batch-complete": {
            "post": _operation(
                "批量同意",
                f"一次同意多个审核任务（1 到 {BATCH_MAX} 个）。每个任务单独生效或不生效，结果逐个列出。",
                _ok("BatchResults", "每个任务的结果"),
                write,
                security=WRITE,
                body=_body("BatchBody", "任务 id 与共同的审核意见"),
            )
        },
        "/api/v1/my-documents": {
            "get": _operation(
                "我的文档",
                "当前用户作为作者的各对象本期文档（已开始或未开始），与「我的文档」页相同。",
                _ok("MyDocuments", "本期文档"),
                read,
                tag="文档",
            )
        },
        "/api/v1/documents/start": {
            "post": _operation(
                "开始填写文档",
                "开始（或修订）某对象本期的文档，返回作者的第一个任务（201）。",
                _ok("TaskDetail", "作者的填写任务"),
                task_action | {500},
                status=201,
                security=WRITE,
                body=_body("StartBody", "对象与文档类型"),
                tag="文档",
            )
        },
        "/api/v1/documents/{doc_id}": {
            "get": _operation(
                "文档",
                "文档的当前内容与已发布版本；带 version 时给出该版本的内容。",
                _ok("DocumentShow", "文档"),
                read | {404},
                params=[DOC_ID, _query("version", "已发布版本的版本号", {"type": "integer", "minimum": 1})],
                tag="文档",
            )
        },
    }


def _close(schema: dict, optional: set[str]) -> None:
    """A response schema as the API answers: every property present (nullable where it may be null), no other."""
    schema["required"] = sorted(set(schema.get("properties", {})) - optional)
    schema["additionalProperties"] = False


def build(session_cookie: str) -> dict:
    """The description as a dict; `session_cookie` is the installation's session cookie name."""
    spec = APISpec(
        title=TITLE,
        version=VERSION,
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={
            "description": (
                "诊改平台的 JSON 接口：与页面相同的操作与权限检查。\n\n"
                "认证：在个人设置中生成 API 令牌，请求头加 `Authorization: Bearer <令牌>`（令牌只能用于 /api）；"
                "或使用已登录页面的会话 Cookie，写操作另加 `X-CSRFToken` 头。\n\n"
                '所有错误都是 `{"error": {"code", "message", "fields"}}`。'
            )
        },
        servers=[{"url": "/"}],
    )
    for name, schema in (
        ("ErrorBody", ErrorBodySchema),
        ("Error", ErrorSchema),
        ("TaskListItem", TaskListItemSchema),
        ("TaskList", TaskListSchema),
        ("HistoryEvent", HistoryEventSchema),
        ("HistoryStep", HistoryStepSchema),
        ("Version", VersionSchema),
        ("Document", DocumentSchema),
        ("DocumentWithData", DocumentWithDataSchema),
        ("TaskDetail", TaskDetailSchema),
        ("TaskShow", TaskShowSchema),
        ("DocumentShow", DocumentShowSchema),
        ("DocumentSlot", DocumentSlotSchema),
        ("MyDocuments", MyDocumentsSchema),
        ("BatchResult", BatchResultSchema),
        ("BatchResults", BatchResultsSchema),
        ("CompleteBody", CompleteBodySchema),
        ("DraftBody", DraftBodySchema),
        ("BatchBody", BatchBodySchema),
        ("StartBody", StartBodySchema),
    ):
        spec.components.schema(name, schema=schema)
    spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "个人设置中生成的 API 令牌（用途：API）"}
    )
    spec.components.security_scheme(
        "sessionCookie",
        {"type": "apiKey", "in": "cookie", "name": session_cookie, "description": "登录页面后的会话 Cookie"},
    )
    spec.components.security_scheme(
        "csrfToken",
        {
            "type": "apiKey",
            "in": "header",
            "name": "X-CSRFToken",
            "description": "用会话 Cookie 写数据时：页面的 CSRF 令牌",
        },
    )
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for code, name in ERROR_NAMES.items():
        response = {"description": ERRORS[code], "content": error}
        if code == 429:
            response["headers"] = {
                "Retry-After": {"description": "多少秒后可以再试", "schema": {"type": "integer", "minimum": 1}}
            }
        spec.components.response(name, response)
    for tag, text in (("任务", "待办与办理"), ("文档", "我的文档与诊改文档"), ("描述", "本 OpenAPI 描述")):
        spec.tag({"name": tag, "description": text})
    for path, ops in operations().items():
        spec.path(path=path, operations=ops)
    feeds_openapi.add_to(spec, ERROR_NAMES)  # the providers' push API (web/feeds/api.py)
    description = spec.to_dict()
    schemas = description["components"]["schemas"]
    for name, optional in RESPONSE_SCHEMAS.items():
        _close(schemas[name], optional)
    return description
