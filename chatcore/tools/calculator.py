"""A safe arithmetic evaluator: the model's maths, never its code.

``eval`` on model output would run arbitrary Python. Instead the expression is parsed
with ``ast.parse(mode="eval")`` (which only builds a syntax tree, it runs nothing) and
the tree is walked by hand, accepting only numbers, arithmetic operators, a few math
functions and constants. Sizes are bounded so ``9**9**9`` is refused instead of eating
the CPU, and every failure is a ``CalculatorError`` with a message a user understands.
"""

from __future__ import annotations

import ast
import math
import operator
from typing import Callable, cast

Number = int | float

MAX_LENGTH = 500
MAX_INT_BITS = 3400  # about 1000 decimal digits
MAX_ROUND_DIGITS = 100

_ALIASES = {"×": "*", "÷": "/", "^": "**", "−": "-", "·": "*"}
_CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e, "tau": math.tau, "π": math.pi}
_FUNCTIONS: dict[str, Callable[..., Number]] = {
    "sqrt": math.sqrt,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "log": math.log,
    "log10": math.log10,
    "exp": math.exp,
    "abs": abs,
    "round": round,
    "floor": math.floor,
    "ceil": math.ceil,
    "min": min,
    "max": max,
}
_BINARY: dict[type, Callable[[Number, Number], Number]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}
_UNARY: dict[type, Callable[[Number], Number]] = {ast.UAdd: operator.pos, ast.USub: operator.neg}
_SYNTAX_NAMES = {
    ast.Attribute: "attribute access",
    ast.Lambda: "lambda",
    ast.Subscript: "indexing",
    ast.Compare: "comparisons",
    ast.BoolOp: "and/or",
    ast.IfExp: "if/else",
    ast.List: "lists",
    ast.Tuple: "tuples",
    ast.Dict: "dicts",
    ast.Set: "sets",
    ast.ListComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.NamedExpr: "assignment",
    ast.JoinedStr: "strings",
}


class CalculatorError(ValueError):
    """The expression is invalid, unsafe or has no real result."""


def evaluate(expression: str) -> Number:
    """Evaluate an arithmetic expression such as ``"2 × (3 + 4)^2 / sqrt(16)"``."""
    if not isinstance(expression, str):
        raise CalculatorError("The expression must be text")
    text = expression.strip()
    if not text:
        raise CalculatorError("The expression is empty")
    if len(text) > MAX_LENGTH:
        raise CalculatorError(f"The expression is too long ({len(text)} characters, at most {MAX_LENGTH})")
    for alias, symbol in _ALIASES.items():
        text = text.replace(alias, symbol)
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise CalculatorError(f"Could not parse the expression: {exc.msg}") from None
    except (ValueError, MemoryError, RecursionError):
        raise CalculatorError("Could not parse the expression") from None
    try:
        return _tidy(_eval(tree.body))
    except ZeroDivisionError:
        raise CalculatorError("Division by zero") from None
    except OverflowError:
        raise CalculatorError("The result is too large") from None
    except RecursionError:
        raise CalculatorError("The expression is nested too deeply") from None


def _eval(node: ast.AST) -> Number:
    if isinstance(node, ast.Constant):
        if type(node.value) in (int, float):
            return _check(cast(Number, node.value))
        raise CalculatorError(f"Only numbers are allowed, not {node.value!r}")
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left), _eval(node.right)
        if isinstance(node.op, ast.Pow):
            return _check(_power(left, right))
        op = _BINARY.get(type(node.op))
        if op is None:
            raise CalculatorError(f"Unsupported operator: {type(node.op).__name__}")
        return _check(op(left, right))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_eval(node.operand))
    if isinstance(node, ast.Name):
        if node.id in _CONSTANTS:
            return _CONSTANTS[node.id]
        raise CalculatorError(f"Unknown name '{node.id}'. Allowed constants: {', '.join(_CONSTANTS)}")
    if isinstance(node, ast.Call):
        return _call(node)
    what = _SYNTAX_NAMES.get(type(node), type(node).__name__)
    raise CalculatorError(f"Unsupported syntax: {what}")


def _call(node: ast.Call) -> Number:
    if isinstance(node.func, ast.Attribute):
        raise CalculatorError("Unsupported syntax: attribute access")
    if not isinstance(node.func, ast.Name):
        raise CalculatorError("Only simple function calls like sqrt(2) are allowed")
    name = node.func.id
    fn = _FUNCTIONS.get(name)
    if fn is None:
        raise CalculatorError(f"Unknown function '{name}'. Allowed: {', '.join(_FUNCTIONS)}")
    if node.keywords or any(isinstance(arg, ast.Starred) for arg in node.args):
        raise CalculatorError(f"{name}() takes plain numbers only")
    args = [_eval(arg) for arg in node.args]
    if name == "round" and len(args) == 2 and (not isinstance(args[1], int) or abs(args[1]) > MAX_ROUND_DIGITS):
        raise CalculatorError(f"round() digits must be a whole number between -{MAX_ROUND_DIGITS} and {MAX_ROUND_DIGITS}")
    try:
        return _check(fn(*args))
    except TypeError:
        raise CalculatorError(f"Wrong number of arguments for {name}()") from None
    except ValueError:
        shown = ", ".join(_format(a) for a in args)
        raise CalculatorError(f"{name}({shown}) is undefined") from None


def _power(base: Number, exponent: Number) -> Number:
    """``base ** exponent``, refused up front when the result would be astronomically large."""
    if abs(base) > 1 and exponent > 0 and exponent * math.log2(abs(base)) > MAX_INT_BITS:
        raise CalculatorError("The result is too large")
    result = base**exponent
    if isinstance(result, complex):
        raise CalculatorError(f"{_format(base)} ** {_format(exponent)} is not a real number")
    return result


def _check(value: Number) -> Number:
    if isinstance(value, complex):
        raise CalculatorError("The result is not a real number")
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise CalculatorError("The result is too large")
    if isinstance(value, float) and not math.isfinite(value):
        raise CalculatorError("The result is too large" if math.isinf(value) else "The result is undefined")
    return value


def _tidy(value: Number) -> Number:
    """Round away float noise (0.1 + 0.2 -> 0.3) and show whole floats as ints."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float):
        value = float(f"{value:.15g}")
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
    return value


def _format(value: Number) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


__all__ = ["CalculatorError", "MAX_LENGTH", "evaluate"]
