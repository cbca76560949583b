"""The app's request class: a JSON body nested too deeply is a clear 400, never a RecursionError (500)."""

from __future__ import annotations

from flask import Request as FlaskRequest

from engine.core.errors import N_, InvalidInput

# no form or API body needs more; each level costs the parser a stack frame and later code a recursion
MAX_JSON_DEPTH = 32


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
        return body
