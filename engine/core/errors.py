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


# The largest id the database stores: ids are INTEGER columns (int4 on PostgreSQL, where SQLAlchemy binds them
# as ::INTEGER, so a larger number is an error there, not a row that is missing).
MAX_ID = 2**31 - 1


def object_id(value, message: str) -> int:
    """An id from a URL or a form as an int, or NotFound(message) for anything that cannot be one
    (text, nothing, a number beyond what the database stores)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise NotFound(message) from None
    if not 0 < number <= MAX_ID:
        raise NotFound(message)
    return number


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
    """The engine raised while running a step: the step is undone and the instance is flagged.

    Whoever owns the transaction undoes the step (a request rolls back, a batch item or a scheduler wake
    rolls back its SAVEPOINT), then records the incident with `engine.workflow.record_failure`, so that an
    administrator finds the instance among the errored ones. `message` and `status` let a caller say it
    in its own words (an administrator's retry that fails again is a 409 with the detail).
    """

    status = 500
    code = "step_failed"

    def __init__(self, instance_id: int, cause: BaseException, message: str | None = None, status=None, **params):
        super().__init__(message or N_("流程在执行后续步骤时出错，您的操作未生效；已通知管理员处理"), **params)
        self.instance_id = instance_id
        self.cause = cause
        if status is not None:
            self.status = status
