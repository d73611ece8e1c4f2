"""Mutation operators for slips inside an expression: a wrong operator, operand or comparison,
a constant off by a little, the wrong function or argument order, a negation or a condition
lost, an index off by one, two items of a tuple swapped.

Each operator looks at one node of the solution's syntax tree and yields :data:`Edit` pairs
(what it does, the transform of a copy of the node); ``mutation_operators.NODE_OPERATORS``
lists them in the order they are tried.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator, Sequence
from typing import Any

from mutation_syntax import SYMBOLS, Context, Edit, call_name, is_literal, shifted, with_fields

BINOP_SWAPS: dict[type, type] = {
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
    ast.Pow: ast.Mult, ast.FloorDiv: ast.Div}
COMPARE_SWAPS: dict[type, type] = {
    ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn,
    ast.NotIn: ast.In}
#: Function and method names replaced by their counterpart (np.maximum -> np.minimum...).
NAME_SWAPS = {"maximum": "minimum", "minimum": "maximum", "max": "min", "min": "max",
              "sum": "mean", "mean": "sum", "all": "any", "any": "all", "argmax": "argmin",
              "argmin": "argmax", "zeros_like": "ones_like", "ones_like": "zeros_like",
              "zeros": "ones", "ones": "zeros"}
BUILTIN_SWAPS = {"min": "max", "max": "min", "all": "any", "any": "all"}
#: Calls replaced by their first argument (np.sqrt(x) -> x), and methods by their object.
UNWRAPPED_FUNCTIONS = {"sqrt", "abs", "exp", "log", "asarray", "array", "float", "tanh", "list"}
UNWRAPPED_METHODS = {"astype", "copy", "ravel", "flatten", "squeeze"}


def swap_operator(node: ast.AST, context: Context) -> Iterator[Edit]:
    """``+`` <-> ``-``, ``*`` <-> ``/``, ``**`` -> ``*``, ``//`` -> ``/`` (also in ``x += ...``)."""
    if isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in BINOP_SWAPS:
        new = BINOP_SWAPS[type(node.op)]
        yield (f"`{SYMBOLS[type(node.op)]}` -> `{SYMBOLS[new]}`",
               lambda n, new=new: with_fields(n, op=new()))


def swap_operands(node: ast.AST, context: Context) -> Iterator[Edit]:
    """``a - b`` -> ``b - a`` for the operators whose order matters (``-``, ``/``, ``@``)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Sub, ast.Div, ast.MatMult)):
        yield (f"swap the operands of `{SYMBOLS[type(node.op)]}`",
               lambda n: with_fields(n, left=n.right, right=n.left))


def transpose(node: ast.AST, context: Context) -> Iterator[Edit]:
    """``x.T`` -> ``x``; and ``.T`` added to an operand of ``@`` that has none."""
    if isinstance(node, ast.Attribute) and node.attr == "T":
        yield "drop `.T`", lambda n: n.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
        for side in ("left", "right"):
            operand = getattr(node, side)
            if not (isinstance(operand, ast.Attribute) and operand.attr == "T"):
                yield (f"add `.T` to the {side} operand of `@`",
                       lambda n, side=side: with_fields(n, **{side: ast.Attribute(
                           getattr(n, side), "T", ast.Load())}))


def swap_comparison(node: ast.AST, context: Context) -> Iterator[Edit]:
    """``>`` <-> ``>=``, ``<`` <-> ``<=``, ``==`` <-> ``!=``, ``in`` <-> ``not in``..."""
    if isinstance(node, ast.Compare):
        for position, op in enumerate(node.ops):
            if type(op) in COMPARE_SWAPS:
                new = COMPARE_SWAPS[type(op)]
                yield (f"`{SYMBOLS[type(op)]}` -> `{SYMBOLS[new]}`",
                       lambda n, p=position, new=new: with_fields(n, ops=[
                           new() if i == p else o for i, o in enumerate(n.ops)]))


def tweak_constant(node: ast.AST, context: Context) -> Iterator[Edit]:
    """0 -> 1, 1 -> 0 and 2, 2 -> 1 and 3, n -> n + 1, other floats c -> 1.5 c, True <-> False."""
    if not isinstance(node, ast.Constant) or isinstance(node.value, (str, bytes)):
        return
    for value in constant_variants(node.value):
        yield (f"constant {node.value!r} -> {value!r}",
               lambda n, value=value: ast.Constant(value))


def constant_variants(value: Any) -> list[Any]:
    """The values a constant is mutated to."""
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return {0: [1], 1: [0, 2], 2: [1, 3]}.get(value, [value + 1])
    if isinstance(value, float):
        return {0.0: [1.0], 1.0: [0.0, 2.0], 2.0: [1.0, 3.0]}.get(value, [value * 1.5])
    return []


def mutate_call(node: ast.AST, context: Context) -> Iterator[Edit]:
    """Counterpart functions, unwrapped calls, dropped keyword arguments."""
    if not isinstance(node, ast.Call):
        return
    func = node.func
    name = call_name(node)
    is_module_function = isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
        and func.value.id in ("np", "numpy", "math")
    if isinstance(func, ast.Attribute) and name in NAME_SWAPS:
        yield (f"`{name}` -> `{NAME_SWAPS[name]}`",
               lambda n: with_fields(n, func=with_fields(n.func, attr=NAME_SWAPS[n.func.attr])))
    elif isinstance(func, ast.Name) and name in BUILTIN_SWAPS:
        yield (f"`{name}` -> `{BUILTIN_SWAPS[name]}`",
               lambda n: with_fields(n, func=ast.Name(BUILTIN_SWAPS[n.func.id], ast.Load())))
    if name in UNWRAPPED_FUNCTIONS and node.args and (is_module_function
                                                      or isinstance(func, ast.Name)):
        yield f"drop the call to `{name}`", lambda n: n.args[0]
    if name in UNWRAPPED_METHODS and isinstance(func, ast.Attribute) and not is_module_function:
        yield f"drop `.{name}(...)`", lambda n: n.func.value
    for position, keyword in enumerate(node.keywords):
        if keyword.arg is not None:
            yield (f"drop `{keyword.arg}=`", lambda n, p=position: with_fields(
                n, keywords=[k for i, k in enumerate(n.keywords) if i != p]))


def swap_arguments(node: ast.AST, context: Context) -> Iterator[Edit]:
    """``f(a, b)`` -> ``f(b, a)`` for every pair of positional arguments that are not both
    literals, and the values of every pair of keyword arguments (``f(x=a, y=b)`` ->
    ``f(x=b, y=a)``)."""
    if not isinstance(node, ast.Call):
        return
    name = call_name(node)
    positional = [i for i, a in enumerate(node.args) if not isinstance(a, ast.Starred)]
    for i, j in itertools.combinations(positional, 2):
        if not (is_literal(node.args[i]) and is_literal(node.args[j])):
            yield (f"swap arguments {i + 1} and {j + 1} of `{name}`",
                   lambda n, i=i, j=j: with_fields(n, args=_swapped(n.args, i, j)))
    named = [i for i, k in enumerate(node.keywords) if k.arg is not None]
    for i, j in itertools.combinations(named, 2):
        first, second = node.keywords[i], node.keywords[j]
        if not (is_literal(first.value) and is_literal(second.value)):
            yield (f"swap the values of `{first.arg}=` and `{second.arg}=` of `{name}`",
                   lambda n, i=i, j=j: with_fields(n, keywords=_swap_values(n.keywords, i, j)))


def _swapped(items: Sequence[Any], i: int, j: int) -> list[Any]:
    """A list of ``items`` with the items ``i`` and ``j`` swapped."""
    swapped = list(items)
    swapped[i], swapped[j] = swapped[j], swapped[i]
    return swapped


def _swap_values(keywords: Sequence[ast.keyword], i: int, j: int) -> list[ast.keyword]:
    """The keyword arguments with the values of ``i`` and ``j`` swapped, names in place."""
    values = _swapped([k.value for k in keywords], i, j)
    return [ast.keyword(k.arg, v) for k, v in zip(keywords, values, strict=True)]


def mutate_unary(node: ast.AST, context: Context) -> Iterator[Edit]:
    """``-x`` -> ``x`` and ``not x`` -> ``x``."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not)):
        yield ("drop unary `-`" if isinstance(node.op, ast.USub) else "drop `not`",
               lambda n: n.operand)


def mutate_boolean(node: ast.AST, context: Context) -> Iterator[Edit]:
    """``and`` <-> ``or``."""
    if isinstance(node, ast.BoolOp):
        new = ast.Or if isinstance(node.op, ast.And) else ast.And
        yield f"`{type(node.op).__name__.lower()}` -> `{new.__name__.lower()}`", \
            lambda n, new=new: with_fields(n, op=new())


def negate_condition(node: ast.AST, context: Context) -> Iterator[Edit]:
    """The condition of an ``if``, ``while`` or conditional expression negated."""
    if isinstance(node, (ast.If, ast.While, ast.IfExp)):
        yield "negate the condition", lambda n: with_fields(n, test=ast.UnaryOp(ast.Not(), n.test))


def off_by_one(node: ast.AST, context: Context) -> Iterator[Edit]:
    """``x[i]`` -> ``x[i + 1]``; slice bounds ``+ 1`` or dropped (constants: see constants)."""
    if isinstance(node, ast.Subscript) and isinstance(node.slice, (ast.Name, ast.BinOp)):
        yield "index + 1", lambda n: with_fields(n, slice=shifted(n.slice, 1))
    if isinstance(node, ast.Slice):
        for bound in ("lower", "upper"):
            value = getattr(node, bound)
            if value is None:
                continue
            if not is_literal(value):
                yield (f"slice {bound} bound + 1",
                       lambda n, b=bound: with_fields(n, **{b: shifted(getattr(n, b), 1)}))
            yield f"drop the slice's {bound} bound", lambda n, b=bound: with_fields(n, **{b: None})


def swap_elements(node: ast.AST, context: Context) -> Iterator[Edit]:
    """The first two items of a tuple or list swapped (``return a, b``; ``a, b = ...``)."""
    if isinstance(node, (ast.Tuple, ast.List)) and len(node.elts) >= 2:
        yield "swap the first two items of a tuple", \
            lambda n: with_fields(n, elts=[n.elts[1], n.elts[0], *n.elts[2:]])

