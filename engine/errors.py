"""Domain errors. Messages are Chinese message ids (translated by the web layer) with parameters."""

from __future__ import annotations


def N_(text: str) -> str:
    """Mark a message for extraction; translation happens where it is shown."""
    return text


class DomainError(Exception):
    status = 400
    code = "error"

    def __init__(self, message: str, fields: dict | None = None, **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params
        self.fields = fields or {}


class NotFound(DomainError):
    """Unknown id, or an object the user may not see: both look the same from outside."""

    status = 404
    code = "not_found"


class NotAllowed(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    """The object changed under the user: someone else completed, claimed or moved it first."""

    status = 409
    code = "conflict"


class InvalidInput(DomainError):
    status = 400
    code = "invalid"


class StepFailed(DomainError):
    """The engine raised while running a step for a person: the step is undone, the instance flagged.

    The web layer rolls the request back, then records the incident in its own transaction
    (`problems.record_failure`) so that an administrator sees it in the list of errored instances.
    """

    status = 500
    code = "step_failed"

    def __init__(self, instance_id: int, cause: BaseException):
        super().__init__(N_("流程在执行后续步骤时出错，您的操作未生效；已通知管理员处理"))
        self.instance_id = instance_id
        self.cause = cause
