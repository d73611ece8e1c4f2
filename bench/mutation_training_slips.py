"""Mutation operators for slips of a training loop and its optimizers: a hyper-parameter's
default or value changed, Adam's step count one off, a loop or a minibatch one step short or
long, X shuffled but not Y (or Y but not X), a gradient averaged over the batch twice.

Each operator looks at the whole function and yields :class:`Change` objects (a step count
shifted at every use changes several nodes at once); ``mutation_operators.FUNCTION_OPERATORS``
lists them in the order they are tried.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Iterator

from mutation_syntax import (
    Change,
    Context,
    call_name,
    is_literal,
    literal_value,
    preorder,
    shifted,
    with_fields,
)

#: Parameter names of hyper-parameters, whose defaults and uses the hyper-parameter operator
#: changes; a function with one of OPTIMIZER_MARKS is an optimizer, whose float literals it
#: changes too.
HYPERPARAMETERS = frozenset({"lr", "learning_rate", "beta", "beta1", "beta2", "eps", "epsilon",
                             "momentum", "rho", "decay", "weight_decay"})
OPTIMIZER_MARKS = frozenset({"lr", "learning_rate"})


def hyperparameter(context: Context) -> Iterator[Change]:
    """An optimizer's hyper-parameters: each default changed; each hard-coded as its default
    where it is used; an optimizer's float literals changed the same way."""
    for name, default in defaults(context.function).items():
        if name not in HYPERPARAMETERS or not _is_number(default):
            continue
        for value in hyperparameter_variants(default.value):
            yield Change(f"default {name}={default.value!r} -> {value!r}",
                         ((default, lambda n, v=value: ast.Constant(v)),))
        uses = context.uses_of(name)
        if uses:
            yield Change(f"`{name}` hard-coded as its default {default.value!r}",
                         tuple((u, lambda n, v=default.value: ast.Constant(v)) for u in uses))
    if OPTIMIZER_MARKS & set(context.parameters):
        for node in context.region_nodes():
            if _is_number(node) and isinstance(node.value, float):
                for value in hyperparameter_variants(node.value):
                    yield Change(f"optimizer constant {node.value!r} -> {value!r}",
                                 ((node, lambda n, v=value: ast.Constant(v)),))


def hyperparameter_variants(value: float) -> list[float]:
    """0.9 -> 0.99 and 0.1; 0.999 -> 0.9999 and 0.99 (a decay closer to or further from 1, or
    confused with its complement); small values (a step, an epsilon) c -> 10 c and c / 10."""
    if isinstance(value, bool) or not 0 < value < 1:
        return []
    if value >= 0.5:
        gap = 1 - value
        return [_round(1 - gap / 10), _round(1 - gap * 10) if gap * 10 < 0.5 else _round(gap)]
    return [_round(value * 10), _round(value / 10)]


def defaults(function: ast.FunctionDef) -> dict[str, ast.expr]:
    """Each parameter with a default, and the default's node."""
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    found = dict(zip([a.arg for a in positional[len(positional) - len(arguments.defaults):]],
                     arguments.defaults, strict=True))
    found.update({a.arg: d for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults,
                                           strict=True) if d is not None})
    return found


def _round(value: float) -> float:
    """``value`` to 10 significant digits (``0.9 * 1.1`` printed as ``0.99``)."""
    return float(f"{value:.10g}")


def _is_number(node: ast.AST) -> bool:
    """A literal int or float (not a bool)."""
    return isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
        and not isinstance(node.value, bool)


#: Names of a step counter (Adam's t), which the step-count operator shifts by one.
STEP_NAMES = frozenset({"t", "step", "timestep", "iteration"})


def step_count(context: Context) -> Iterator[Change]:
    """A step counter ``t`` used as ``t + 1`` or ``t - 1`` everywhere, or as ``t + 1`` at one
    of its uses (when it has several)."""
    for name in STEP_NAMES & set(context.parameters):
        uses = context.uses_of(name)
        if not uses:
            continue
        for delta in (1, -1):
            yield Change(f"`{name}` -> `{name} {'+' if delta > 0 else '-'} 1` everywhere",
                         tuple((u, lambda n, d=delta: shifted(n, d)) for u in uses))
        if len(uses) > 1:
            for number, use in enumerate(uses, 1):
                yield Change(f"`{name}` -> `{name} + 1` at its use {number}",
                             ((use, lambda n: shifted(n, 1)),))


def range_bounds(context: Context) -> Iterator[Change]:
    """``range`` bounds: end - 1, end + 1, start + 1 (start + step); with a step, the last
    partial step dropped (``stop - step + 1``, e.g. the last partial minibatch) or the last step
    (``stop - step``); a slice's end - 1 (one row short)."""
    for node in context.region_nodes():
        if isinstance(node, ast.Slice) and node.upper is not None:
            yield Change("slice end - 1", ((node, lambda n: with_fields(
                n, upper=shifted(n.upper, -1))),))
        if not (isinstance(node, ast.Call) and call_name(node) == "range" and not node.keywords
                and 1 <= len(node.args) <= 3):
            continue
        stop = 0 if len(node.args) == 1 else 1
        for delta, sign in ((-1, "-"), (1, "+")):
            yield Change(f"range end {sign} 1", ((node, lambda n, s=stop, d=delta: _set_arg(
                n, s, shifted(n.args[s], d))),))
        if len(node.args) == 1:
            yield Change("range starts at 1", ((node, lambda n: with_fields(
                n, args=[ast.Constant(1), n.args[0]])),))
        elif len(node.args) == 2:
            yield Change("range start + 1", ((node, lambda n: _set_arg(n, 0, shifted(
                n.args[0], 1))),))
        else:
            yield Change("range start + step (first step skipped)", ((node, lambda n: _set_arg(
                n, 0, _combined(n.args[0], ast.Add(), n.args[2]))),))
            yield Change("range end - step + 1 (last partial step dropped)", ((
                node, lambda n: _set_arg(n, 1, shifted(
                    _combined(n.args[1], ast.Sub(), n.args[2]), 1))),))
            yield Change("range end - step (last step dropped)", ((node, lambda n: _set_arg(
                n, 1, _combined(n.args[1], ast.Sub(), n.args[2]))),))


def _set_arg(call: ast.Call, position: int, value: ast.expr) -> ast.Call:
    """``call`` with its positional argument ``position`` replaced by ``value``."""
    call.args = [value if i == position else a for i, a in enumerate(call.args)]
    return call


def _combined(left: ast.expr, operator: ast.operator, right: ast.expr) -> ast.expr:
    """``left <operator> right``, of copies of both (``start + step``, ``stop - step``)."""
    return ast.BinOp(copy.deepcopy(left), operator, copy.deepcopy(right))


#: Calls that make a permutation (the variable they are assigned to holds one), and calls that
#: shuffle their argument in place.
PERMUTING, SHUFFLING = frozenset({"permutation"}), frozenset({"shuffle"})


def shuffle_one(context: Context) -> Iterator[Change]:
    """An array indexed with a permutation (``X[order]``), or with rows taken from it
    (``rows = order[a:b]``; ``X[rows]``), indexed in the original order instead (``X``,
    ``X[a:b]``): one of X, Y not shuffled, the other still shuffled."""
    permutations: set[str] = set()
    taken: dict[str, ast.expr] = {}
    statements = [n for n in preorder(context.function) if isinstance(n, (ast.Assign, ast.Expr))]
    for statement in statements:
        calls = [c for c in preorder(statement.value) if isinstance(c, ast.Call)]
        if _single_name(statement) and any(call_name(c) in PERMUTING for c in calls):
            permutations.add(_single_name(statement))
        permutations |= {a.id for c in calls if call_name(c) in SHUFFLING
                         for a in c.args[:1] if isinstance(a, ast.Name)}
    for statement in statements:
        value = statement.value
        if (_single_name(statement) and isinstance(value, ast.Subscript)
                and isinstance(value.value, ast.Name) and value.value.id in permutations):
            taken[_single_name(statement)] = value.slice
    for node in context.region_nodes():
        if not (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name)
                and node.value.id not in permutations):
            continue
        index, original = node.slice, None
        if isinstance(index, ast.Name) and index.id in permutations:
            transform = lambda n: n.value  # noqa: E731
        elif isinstance(index, ast.Name) and index.id in taken:
            original = taken[index.id]
        elif (isinstance(index, ast.Subscript) and isinstance(index.value, ast.Name)
              and index.value.id in permutations):
            original = index.slice
        else:
            continue
        if original is not None:
            transform = lambda n, o=original: with_fields(n, slice=copy.deepcopy(o))  # noqa: E731
        yield Change(f"`{ast.unparse(node)}` in the original order: `{node.value.id}` not "
                     "shuffled", ((node, transform),))


def _single_name(statement: ast.stmt) -> str | None:
    """The variable an assignment to one name assigns; ``None`` for any other statement."""
    if not isinstance(statement, ast.Assign):
        return None
    targets = statement.targets
    return targets[0].id if len(targets) == 1 and isinstance(targets[0], ast.Name) else None


#: Reductions after which the average-twice operator divides by the batch size again.
REDUCTIONS = frozenset({"sum", "mean", "average"})


def average_twice(context: Context) -> Iterator[Change]:
    """An extra division by the batch size: after a sum or mean, after ``A.T @ delta`` (a sum
    over the batch), after a division that already averages (``/ A.shape[0] / A.shape[0]``),
    and after an output delta (``output_delta(A, Y) / len(A)``)."""
    size = batch_size(context)
    for node in context.region_nodes():
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) \
                and _is_batch_size(node.right):
            yield Change("divided by the batch size twice", ((node, lambda n: ast.BinOp(
                n, ast.Div(), copy.deepcopy(n.right))),))
        elif isinstance(node, ast.Call) and call_name(node).endswith("_delta") and node.args \
                and isinstance(node.args[0], ast.Name):
            yield Change(f"`{call_name(node)}(...)` divided by the batch size again", ((
                node, lambda n: ast.BinOp(n, ast.Div(), _len(n.args[0].id))),))
        elif size is not None and (
                (isinstance(node, ast.Call) and call_name(node) in REDUCTIONS)
                or (isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult)
                    and isinstance(node.left, ast.Attribute) and node.left.attr == "T")):
            what = "a sum over the batch" if isinstance(node, ast.BinOp) else \
                f"`{call_name(node)}`"
            yield Change(f"{what} divided by the batch size `{ast.unparse(size)}`", ((
                node, lambda n: ast.BinOp(n, ast.Div(), copy.deepcopy(size))),))


def batch_size(context: Context) -> ast.expr | None:
    """How the function writes its batch size: the divisor of a division that averages over the
    batch, or else ``len(p)`` for its first array input; ``None`` if it has neither."""
    for node in context.region_nodes():
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) \
                and _is_batch_size(node.right):
            return node.right
    arrays = [name for name in context.parameters if context.kind(name) == "array"]
    return _len(arrays[0]) if arrays else None


def _is_batch_size(expression: ast.expr) -> bool:
    """``A.shape[0]``, ``len(A)``, ``m`` or ``A.size``: how code writes a batch's size."""
    if isinstance(expression, ast.Subscript) and isinstance(expression.value, ast.Attribute):
        return expression.value.attr == "shape" and is_literal(expression.slice) \
            and literal_value(expression.slice) == 0
    if isinstance(expression, ast.Call):
        return call_name(expression) == "len"
    return (isinstance(expression, ast.Name) and expression.id == "m") or (
        isinstance(expression, ast.Attribute) and expression.attr == "size")


def _len(name: str) -> ast.Call:
    """``len(name)``."""
    return ast.Call(ast.Name("len", ast.Load()), [ast.Name(name, ast.Load())], [])

