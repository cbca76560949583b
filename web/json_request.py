"""The app's request class: a JSON body nested too deeply is a clear 400, never a RecursionError (500); a NUL
character anywhere in what a request says (path, query, form fields, JSON strings) is a clear 400 too, never
the database's error (PostgreSQL stores no NUL in text or JSON)."""

from __future__ import annotations

from flask import Request as FlaskRequest

from engine.core.errors import N_, InvalidInput

# no form or API body needs more; each level costs the parser a stack frame and later code a recursion
MAX_JSON_DEPTH = 32
NUL = "\x00"
NUL_MESSAGE = N_("请求中含有不允许的空字符（NUL）")


def json_depth(value) -> int:
    """How deeply lists and objects nest in `value` (a scalar is 0), without recursing."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


def json_has_nul(value) -> bool:
    """Whether a string of `value` (a key or a value, at any depth) holds a NUL character, without recursing."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class Request(FlaskRequest):
    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True):
        try:
            body = super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError:
            body = None
            too_deep = True
        else:
            too_deep = json_depth(body) > MAX_JSON_DEPTH
        if too_deep:
            raise InvalidInput(N_("JSON 嵌套层数过多（最多 %(n)s 层）"), n=MAX_JSON_DEPTH)
        if json_has_nul(body):
            raise InvalidInput(NUL_MESSAGE)
        return body

    def refuse_nul(self) -> None:
        """400 for a NUL in the path, a query argument or a form field (uploaded files may hold any byte)."""
        if NUL in self.path or any(NUL in k or NUL in v for k, v in self.args.items(multi=True)):
            raise InvalidInput(NUL_MESSAGE)
        if self.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data") and any(
            NUL in k or NUL in v for k, v in self.form.items(multi=True)
        ):
            raise InvalidInput(NUL_MESSAGE)
