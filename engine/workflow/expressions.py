"""Our own expression language for BPMN conditions and timers: a whitelisted subset of Python.

BPMN content is data written by process owners; it must never run Python on the server. Expressions
are parsed with `ast` and interpreted node by node: names come from task data only, there is no
attribute access, no calls except a few pure functions, no comprehensions, no lambdas, and sizes are
capped. Bare ISO 8601 durations and date-times (`P7D`, `2026-11-30T00:00:00+08:00`) evaluate to
themselves as strings, which is what BPMN timers expect.
"""

from __future__ import annotations

import ast
import operator
import re
from functools import lru_cache

MAX_LENGTH = 1000
MAX_NODES = 200
MAX_SEQUENCE = 10_000

ISO_DURATION = re.compile(r"^R?\d*/?P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")


class ExpressionError(ValueError):
    """An expression that is not valid in our language, or failed to evaluate."""


_BINOPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}
_CMPOPS = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
}
_UNARY = {ast.Not: operator.not_, ast.USub: operator.neg, ast.UAdd: operator.pos}


def _safe_str(value=""):
    return str(value) if isinstance(value, str | int | float | bool) or value is None else "?"


FUNCTIONS = {
    "len": len,
    "min": min,
    "max": max,
    "abs": abs,
    "round": round,
    "int": int,
    "float": float,
    "str": _safe_str,
    "bool": bool,
    "sum": sum,
    "any": any,
    "all": all,
}
CONSTANTS = {"True": True, "False": False, "None": None, "true": True, "false": False, "null": None}

_ALLOWED = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.BinOp,
    ast.UnaryOp,
    ast.Compare,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.List,
    ast.Tuple,
    ast.Dict,
    ast.Subscript,
    ast.IfExp,
    ast.Call,
    *_BINOPS,
    *_CMPOPS,
    *_UNARY,
)


def is_literal_time(text: str) -> bool:
    return bool(ISO_DURATION.match(text) or ISO_DATETIME.match(text))


@lru_cache(maxsize=4096)
def compile_expression(text: str) -> ast.Expression | str:
    """Check an expression against the language; return its tree (or the literal time string)."""
    if not isinstance(text, str):
        raise ExpressionError("表达式必须是文本")
    source = text.strip()
    if not source:
        raise ExpressionError("表达式为空")
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"表达式过长（最多 {MAX_LENGTH} 个字符）")
    if is_literal_time(source):
        return source
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"语法错误：第 {exc.offset or 0} 个字符附近") from None
    count = 0
    for node in ast.walk(tree):
        count += 1
        if count > MAX_NODES:
            raise ExpressionError("表达式过于复杂")
        if not isinstance(node, _ALLOWED):
            raise ExpressionError(f"不允许的语法：{type(node).__name__}")
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            raise ExpressionError(f"不允许的名称：{node.id}")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                raise ExpressionError("只能调用这些函数：" + "、".join(sorted(FUNCTIONS)))
            if node.keywords:
                raise ExpressionError("函数调用不支持关键字参数")
        if isinstance(node, ast.Constant) and isinstance(node.value, bytes | complex):
            raise ExpressionError("不支持的常量")
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
            raise ExpressionError("不支持切片")
    return tree


def evaluate(text: str, data: dict | None = None):
    """Evaluate an expression against task data."""
    tree = compile_expression(text)
    if isinstance(tree, str):
        return tree
    try:
        return _eval(tree.body, data or {})
    except ExpressionError:
        raise
    except NameError as exc:
        raise ExpressionError(str(exc)) from None
    except (TypeError, ValueError, KeyError, IndexError, ZeroDivisionError, OverflowError) as exc:
        raise ExpressionError(f"计算失败：{type(exc).__name__}: {exc}") from None


def names_in(text: str) -> set[str]:
    """The data names an expression reads (functions and constants excluded)."""
    tree = compile_expression(text)
    if isinstance(tree, str):
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id not in FUNCTIONS and n.id not in CONSTANTS}


def _check_size(value):
    if isinstance(value, str | list | tuple | dict) and len(value) > MAX_SEQUENCE:
        raise ExpressionError("结果过大")
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**18:
        raise ExpressionError("数值过大")
    return value


def _eval(node, data):
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in data:
            return data[node.id]
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        raise NameError(f"未定义的变量：{node.id}")
    if isinstance(node, ast.BoolOp):
        if isinstance(node.op, ast.And):
            result = True
            for v in node.values:
                result = _eval(v, data)
                if not result:
                    return result
            return result
        result = False
        for v in node.values:
            result = _eval(v, data)
            if result:
                return result
        return result
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, data), _eval(node.right, data)
        if isinstance(node.op, ast.Mult):
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(n, int) and len(seq) * n > MAX_SEQUENCE:
                    raise ExpressionError("结果过大")
        return _check_size(_BINOPS[type(node.op)](left, right))
    if isinstance(node, ast.UnaryOp):
        return _UNARY[type(node.op)](_eval(node.operand, data))
    if isinstance(node, ast.Compare):
        left = _eval(node.left, data)
        for op, comp in zip(node.ops, node.comparators, strict=True):
            right = _eval(comp, data)
            if not _CMPOPS[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.IfExp):
        return _eval(node.body, data) if _eval(node.test, data) else _eval(node.orelse, data)
    if isinstance(node, ast.List | ast.Tuple):
        return [_eval(e, data) for e in node.elts]
    if isinstance(node, ast.Dict):
        return {_eval(k, data): _eval(v, data) for k, v in zip(node.keys, node.values, strict=True)}
    if isinstance(node, ast.Subscript):
        container = _eval(node.value, data)
        if not isinstance(container, dict | list | str):
            raise ExpressionError("只能对字典、列表或文本取下标")
        return container[_eval(node.slice, data)]
    if isinstance(node, ast.Call):
        args = [_eval(a, data) for a in node.args]
        for a in args:
            if not isinstance(a, str | int | float | bool | list | dict) and a is not None:
                raise ExpressionError("函数参数类型不支持")
        return _check_size(FUNCTIONS[node.func.id](*args))
    raise ExpressionError(f"不允许的语法：{type(node).__name__}")
