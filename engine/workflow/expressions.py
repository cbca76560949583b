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
MAX_SEQUENCE = 10_000  # elements of a value, nested ones counted too
MAX_INT = 10**18
MAX_ROUND_DIGITS = 18
MAX_FORMAT_WIDTH = 1000  # width and precision in "%...d" formatting
MAX_STEPS = 100_000  # work units per evaluation: one per node, plus the elements an operation touches
MAX_RUN_STEPS = 1_000_000  # work units of all the evaluations of one engine run (engine/workflow/runtime.py)
MAX_ENGINE_STEPS = 500  # tasks the engine may run in one go before it waits for a person or a timer (Spiff stops
# looking for ready tasks 1000 levels deep in its tree, and then wrongly reports the workflow completed)
MAX_DURATION_DAYS = 3660  # ten years (and a week): the longest timer, deadline or cycle interval
MAX_CYCLES = 1000  # repetitions of a timer cycle (R1000/P1D)
MIN_CYCLE_SECONDS = 60  # a cycle interval shorter than a minute would fire on every tick

ISO_DURATION = re.compile(r"^R?\d*/?P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")


class ExpressionError(ValueError):
    """An expression that is not valid in our language, or failed to evaluate."""


class BoundExceeded(ExpressionError):
    """An operation would exceed the evaluator's bounds; refused before it runs."""


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
    "round": lambda *a: _round(*a),
    "int": int,
    "float": float,
    "str": _safe_str,
    "bool": bool,
    "sum": lambda *a: _sum(*a),
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


_DURATION_PARTS = re.compile(r"(\d+(?:\.\d+)?)([YMWDHS])")
_DAYS = {"Y": 365.25, "W": 7, "D": 1, "H": 1 / 24, "S": 1 / 86400}


def duration_days(text: str) -> float:
    """The length of an ISO 8601 duration (`P1Y2M3DT4H`) in days, on average months and years."""
    days, in_time = 0.0, False
    for part in re.split(r"(T)", text.split("/")[-1].lstrip("P")):
        if part == "T":
            in_time = True
            continue
        for number, unit in _DURATION_PARTS.findall(part):
            per = (1 / 1440 if in_time else 30.44) if unit == "M" else _DAYS[unit]
            days += float(number) * per
    return days


def check_time(text: str) -> str:
    """Refuse a duration, deadline or cycle beyond the bounds (BoundExceeded); return the text."""
    if not ISO_DURATION.match(text):
        return text
    if len(text) > 40 or duration_days(text) > MAX_DURATION_DAYS:
        raise BoundExceeded(f"时长过长（最多 10 年）：{text[:40]}")
    if text.startswith("R"):
        repeats = text[1:].split("/", 1)[0]
        if not repeats or int(repeats) > MAX_CYCLES:
            raise BoundExceeded(f"循环定时器必须指定次数，且最多 {MAX_CYCLES} 次：{text}")
        if duration_days(text) * 86400 < MIN_CYCLE_SECONDS:
            raise BoundExceeded(f"循环定时器的间隔至少 {MIN_CYCLE_SECONDS // 60} 分钟：{text}")
    return text


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
        return check_time(source)
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


def evaluate(text: str, data: dict | None = None, run: Budget | None = None):
    """Evaluate an expression against task data, within the bounds (`MAX_STEPS` work units, and what is
    left of `run`, the budget of the engine run it belongs to)."""
    tree = compile_expression(text)
    if isinstance(tree, str):
        return tree
    return _run(tree.body, data or {}, run)


def _run(node, data, run=None):
    try:
        return _eval(node, data, Budget(MAX_STEPS, run))
    except ExpressionError:
        raise
    except NameError as exc:
        raise ExpressionError(str(exc)) from None
    except RecursionError:
        raise BoundExceeded("计算过于复杂") from None
    except (TypeError, ValueError, KeyError, IndexError, ZeroDivisionError, OverflowError) as exc:
        raise ExpressionError(f"计算失败：{type(exc).__name__}: {exc}") from None


def check(text: str) -> None:
    """What the deploy check and the modeler ask: the expression is in the language, and none of its
    constant parts exceeds the bounds."""
    compile_expression(text)
    check_constants(text)


def check_timer(text: str) -> None:
    """A timer's expression: checked like any other, and when it reads no data (`"P99999999D"` quoted),
    its value must be a time within the bounds."""
    check(text)
    tree = compile_expression(text)
    if not isinstance(tree, str) and not _reads_data(tree.body):
        value = _run(tree.body, {})
        if isinstance(value, str):
            check_time(value)


def check_constants(text: str) -> None:
    """Evaluate the parts of an expression that read no data (`[0]*9999*2000`, `round(1, -10**18)`), as the
    deploy check does, and raise BoundExceeded for one that exceeds the bounds; other failures are left
    to run time (a condition may be guarded by another)."""
    tree = compile_expression(text)
    if isinstance(tree, str):
        return
    todo = [tree.body]
    while todo:
        node = todo.pop()
        if _reads_data(node):
            todo.extend(ast.iter_child_nodes(node))
            continue
        try:
            _run(node, {})
        except BoundExceeded:
            raise
        except ExpressionError:
            pass


def _reads_data(node) -> bool:
    return any(isinstance(n, ast.Name) and n.id not in FUNCTIONS and n.id not in CONSTANTS for n in ast.walk(node))


def names_in(text: str) -> set[str]:
    """The data names an expression reads (functions and constants excluded)."""
    tree = compile_expression(text)
    if isinstance(tree, str):
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id not in FUNCTIONS and n.id not in CONSTANTS}


class Budget:
    """Work units left: an evaluation's own, charged to the engine run's (`parent`) as well."""

    __slots__ = ("steps", "limit", "parent", "weights")

    def __init__(self, limit: int = MAX_STEPS, parent: Budget | None = None):
        self.steps, self.limit, self.parent = 0, limit, parent
        self.weights: dict[int, tuple] = {}  # id -> (value, weight): data values are weighed once

    def weight(self, value) -> int:
        if not isinstance(value, str | list | tuple | dict):
            return 1
        known = self.weights.get(id(value))
        if known is None or known[0] is not value:
            known = self.weights[id(value)] = (value, _weight(value))  # the value is kept: its id stays its own
        return known[1]

    def spend(self, units: int):
        self.steps += units
        if self.steps > self.limit:
            raise BoundExceeded(f"计算步骤过多（最多 {self.limit} 步）")
        if self.parent is not None:
            self.parent.spend(units)


def _weight(value, limit: int = MAX_SEQUENCE) -> int:
    """How many elements a value holds, nested ones (and strings' characters) included; stops past `limit`."""
    total, todo = 0, [value]
    while todo:
        item = todo.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, list | tuple | dict):
            total += 1
            todo.extend(item.values() if isinstance(item, dict) else item)
        else:
            total += 1
        if total > limit:
            return total
    return total


def _check_size(value, budget: Budget | None = None):
    weigh = budget.weight if budget is not None else _weight
    if isinstance(value, str | list | tuple | dict) and weigh(value) > MAX_SEQUENCE:
        raise BoundExceeded("结果过大")
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
        raise BoundExceeded("数值过大")
    return value


_FORMAT_SPEC = re.compile(r"%(?:\([^)]*\))?[-+ #0]*(\*|\d+)?(?:\.(\*|\d+))?[a-zA-Z%]")


def _check_format(template: str):
    """`"%0999999999d" % 1` would build a gigabyte: refuse widths and precisions beyond the bound."""
    for width, precision in _FORMAT_SPEC.findall(template):
        for number in (width, precision):
            if number == "*" or (number and (len(number) > 6 or int(number) > MAX_FORMAT_WIDTH)):
                raise BoundExceeded(f"格式宽度过大（最多 {MAX_FORMAT_WIDTH}）")


def _binop(op, left, right, budget):
    for value in (left, right):
        _check_size(value, budget)
    if isinstance(op, ast.Mult):
        for seq, n in ((left, right), (right, left)):
            if isinstance(seq, str | list | tuple) and isinstance(n, int):
                if budget.weight(seq) * max(n, 0) > MAX_SEQUENCE:
                    raise BoundExceeded("结果过大")
                budget.spend(len(seq) * max(n, 0))
    elif isinstance(op, ast.Add) and isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple):
        if budget.weight(left) + budget.weight(right) > MAX_SEQUENCE:
            raise BoundExceeded("结果过大")
        budget.spend(len(left) + len(right))
    elif isinstance(op, ast.Mod) and isinstance(left, str):
        _check_format(left)
        budget.spend(len(left) + budget.weight(right))
    return _check_size(_BINOPS[type(op)](left, right), budget)


def _round(number, digits=None):
    if digits is not None:
        if not isinstance(digits, int) or abs(digits) > MAX_ROUND_DIGITS:
            raise BoundExceeded(f"round 的位数必须在 -{MAX_ROUND_DIGITS} 到 {MAX_ROUND_DIGITS} 之间")
        return round(number, digits)
    return round(number)


def _sum(items, start=0):
    """sum(), but joining sequences (`sum(lists, [])`) is refused before it when the result exceeds the bound."""
    if isinstance(start, str | list | tuple):
        if not isinstance(items, list | tuple):
            raise ExpressionError("sum 的第一个参数必须是列表")
        if _weight(start) + sum(_weight(i) for i in items) > MAX_SEQUENCE:
            raise BoundExceeded("结果过大")
    return sum(items, start)


def _eval(node, data, budget):
    budget.spend(1)
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in data:
            return data[node.id]
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        raise NameError(f"未定义的变量：{node.id}")
    if isinstance(node, ast.BoolOp):
        stop = not isinstance(node.op, ast.And)
        result = not stop
        for v in node.values:
            result = _eval(v, data, budget)
            if bool(result) is stop:
                return result
        return result
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, data, budget), _eval(node.right, data, budget)
        return _binop(node.op, left, right, budget)
    if isinstance(node, ast.UnaryOp):
        return _UNARY[type(node.op)](_check_size(_eval(node.operand, data, budget), budget))
    if isinstance(node, ast.Compare):
        left = _eval(node.left, data, budget)
        for op, comp in zip(node.ops, node.comparators, strict=True):
            right = _eval(comp, data, budget)
            contains = isinstance(op, ast.In | ast.NotIn)
            budget.spend(min(budget.weight(left), budget.weight(right)) + (budget.weight(right) if contains else 0))
            if not _CMPOPS[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.IfExp):
        if _eval(node.test, data, budget):
            return _eval(node.body, data, budget)
        return _eval(node.orelse, data, budget)
    if isinstance(node, ast.List | ast.Tuple):
        return _check_size([_eval(e, data, budget) for e in node.elts], budget)
    if isinstance(node, ast.Dict):
        pairs = zip(node.keys, node.values, strict=True)
        return _check_size({_eval(k, data, budget): _eval(v, data, budget) for k, v in pairs}, budget)
    if isinstance(node, ast.Subscript):
        container = _eval(node.value, data, budget)
        if not isinstance(container, dict | list | str):
            raise ExpressionError("只能对字典、列表或文本取下标")
        return container[_eval(node.slice, data, budget)]
    if isinstance(node, ast.Call):
        args = [_eval(a, data, budget) for a in node.args]
        for a in args:
            if not isinstance(a, str | int | float | bool | list | dict) and a is not None:
                raise ExpressionError("函数参数类型不支持")
            budget.spend(budget.weight(a))
        return _check_size(FUNCTIONS[node.func.id](*args), budget)
    raise ExpressionError(f"不允许的语法：{type(node).__name__}")
