"""Mutation operators for slips in a statement or in the flow of data: an update that loses its
old value (``+=`` written ``=``), a result computed in an input array, the wrong variable
returned, a statement deleted, and a statement on the wrong side of a loop's edge.

The operators on one node yield :data:`Edit` pairs; those on the whole function yield
:class:`Change` objects (a statement moved touches two places). ``mutation_operators.py`` lists
them in the order they are tried.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Iterator

from mutation_syntax import (
    SYMBOLS,
    Change,
    Context,
    Edit,
    Transform,
    call_name,
    is_literal,
    with_fields,
)


def augmented_to_plain(node: ast.AST, context: Context) -> Iterator[Edit]:
    """``x += e`` -> ``x = e`` (every augmented operator), and ``x = x + e`` -> ``x = e``."""
    if isinstance(node, ast.AugAssign):
        yield (f"`{SYMBOLS.get(type(node.op), '?')}=` -> `=`",
               lambda n: ast.Assign([n.target], n.value, lineno=n.lineno))
    if (isinstance(node, ast.Assign) and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.BinOp)
            and isinstance(node.value.left, ast.Name)
            and node.value.left.id == node.targets[0].id):
        name, symbol = node.targets[0].id, SYMBOLS.get(type(node.value.op), "?")
        yield (f"`{name} = {name} {symbol} ...` -> `{name} = ...`",
               lambda n: with_fields(n, value=n.value.right))


#: Binary operators and the ufunc that computes them in place (``out=``), as ``x op= e`` would.
IN_PLACE_UFUNCS: dict[type, str] = {
    ast.Add: "add", ast.Sub: "subtract", ast.Mult: "multiply", ast.Div: "true_divide"}


def in_place_operation(node: ast.AST, context: Context) -> Iterator[Edit]:
    """``p - e`` -> ``np.subtract(p, e, out=p)``, i.e. ``p -= e`` where ``p`` is an input array
    (a parameter, an item of an input list, or a loop variable over one); for ``+`` and ``*``
    also when ``p`` is the right operand (``beta * v`` -> ``v *= beta``)."""
    if not isinstance(node, ast.BinOp) or type(node.op) not in IN_PLACE_UFUNCS:
        return
    ufunc = IN_PLACE_UFUNCS[type(node.op)]
    commutative = isinstance(node.op, (ast.Add, ast.Mult))
    for side, other in (("left", "right"), ("right", "left")):
        operand = getattr(node, side)
        if (side == "right" and not commutative) or not is_input_array(operand, node, context):
            continue
        yield (f"`{ast.unparse(node)}` computed in place in the input `{ast.unparse(operand)}` "
               f"(`{ast.unparse(operand)} {SYMBOLS[type(node.op)]}= ...`)",
               lambda n, side=side, other=other: _ufunc_call(
                   ufunc, getattr(n, side), getattr(n, other)))


def _ufunc_call(ufunc: str, target: ast.expr, other: ast.expr) -> ast.Call:
    """``np.<ufunc>(target, other, out=target)``: ``target <op>= other`` as an expression."""
    return ast.Call(ast.Attribute(ast.Name("np", ast.Load()), ufunc, ast.Load()),
                    [target, other], [ast.keyword("out", copy.deepcopy(target))])


def is_input_array(expression: ast.AST, where: ast.AST, context: Context) -> bool:
    """Whether ``expression`` (used at ``where``) names an input array: a parameter holding one,
    an item of a parameter holding a list of them (``weights[l]``), or a variable of a loop or
    comprehension over such a list (``for g in grads``, ``zip(weights, dWs)``)."""
    if isinstance(expression, ast.Subscript) and isinstance(expression.value, ast.Name):
        return context.kind(expression.value.id) == "arrays"
    if not isinstance(expression, ast.Name):
        return False
    if context.kind(expression.id) == "array":
        return True
    for ancestor in context.ancestors(where):
        generators = ancestor.generators if isinstance(
            ancestor, (ast.ListComp, ast.GeneratorExp, ast.SetComp, ast.DictComp)) else [
            ancestor] if isinstance(ancestor, ast.For) else []
        for loop in generators:
            if expression.id in _items_of_inputs(loop.target, loop.iter, context):
                return True
    return False


def _items_of_inputs(target: ast.expr, iterable: ast.expr, context: Context) -> set[str]:
    """Loop variables of ``for target in iterable`` bound to items of input lists of arrays."""
    if isinstance(iterable, ast.Name) and context.kind(iterable.id) == "arrays":
        return {target.id} if isinstance(target, ast.Name) else set()
    if isinstance(iterable, ast.Call) and call_name(iterable) == "zip" and isinstance(
            target, ast.Tuple):
        return {t.id for t, a in zip(target.elts, iterable.args, strict=False)
                if isinstance(t, ast.Name) and isinstance(a, ast.Name)
                and context.kind(a.id) == "arrays"}
    return set()


def earlier_variable(node: ast.AST, context: Context) -> Iterator[Edit]:
    """A returned or yielded value (or an item of a returned tuple) replaced by a different
    local variable assigned before the ``return``."""
    if not isinstance(node, (ast.Return, ast.Yield)) or node.value is None:
        return
    scope = next((a for a in context.ancestors(node) if isinstance(a, ast.FunctionDef)), None)
    if scope is None:
        return
    earlier = assigned_before(scope, node.lineno)
    items = node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
    for position, item in enumerate(items):
        current = item.id if isinstance(item, ast.Name) else None
        for name in earlier:
            if name == current:
                continue
            what = f"item {position + 1} of the tuple" if len(items) > 1 or isinstance(
                node.value, ast.Tuple) else "the value"
            yield (f"{what} returned replaced by the earlier variable `{name}`",
                   lambda n, p=position, name=name: _replace_item(n, p, name))


def assigned_before(scope: ast.FunctionDef, line: int) -> list[str]:
    """Local variables of ``scope`` (not its nested functions or comprehensions) assigned on a
    line before ``line``, in order of first assignment, ``_`` excepted."""
    names: list[str] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp,
                                  ast.GeneratorExp, ast.SetComp, ast.DictComp)):
                continue
            if (isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store)
                    and child.lineno < line and child.id != "_" and child.id not in names):
                names.append(child.id)
            visit(child)

    visit(scope)
    return names


def _replace_item(node: ast.Return | ast.Yield, position: int, name: str) -> ast.AST:
    """``node`` returning (or yielding) the variable ``name`` as its item ``position``."""
    variable = ast.Name(name, ast.Load())
    if isinstance(node.value, ast.Tuple):
        node.value.elts[position] = variable
    else:
        node.value = variable
    return node


def mutate_statement(node: ast.AST, context: Context) -> Iterator[Edit]:
    """``return x`` -> ``return None``; any other statement outside loops deleted."""
    if isinstance(node, ast.Return):
        if node.value is not None and not is_literal(node.value):
            yield "return None", lambda n: with_fields(n, value=None)
    elif isinstance(node, ast.stmt) and not isinstance(node, ast.Pass) \
            and not in_loop(node, context):
        yield "delete", lambda n: None


def delete_in_loop(node: ast.AST, context: Context) -> Iterator[Edit]:
    """A statement inside a loop's body deleted (``return`` excepted: see ``return None``)."""
    if isinstance(node, ast.stmt) and not isinstance(node, (ast.Pass, ast.Return)) \
            and in_loop(node, context):
        yield "delete (in a loop)", lambda n: None


def in_loop(node: ast.AST, context: Context) -> bool:
    """Whether ``node`` is inside a ``for`` or ``while`` body of its own function."""
    for ancestor in context.ancestors(node):
        if isinstance(ancestor, (ast.FunctionDef, ast.Lambda)):
            return False
        if isinstance(ancestor, (ast.For, ast.While)):
            return True
    return False


def in_place_insertion(context: Context) -> Iterator[Change]:
    """``p[...] = 0`` for every array input ``p`` (``p[0][...] = 0`` for a list of arrays),
    inserted before the solution's first statement, and before its final ``return`` (after its
    last statement when it ends otherwise, as a generator does)."""
    body = [s for s in context.function.body if context.in_region(s)]
    if not body:
        return
    first, last = body[0], body[-1]
    for name in context.parameters:
        kind = context.kind(name)
        if kind not in ("array", "arrays"):
            continue
        target = f"{name}[...]" if kind == "array" else f"{name}[0][...]"
        yield Change(f"`{target} = 0` inserted at the start",
                     ((first, _zeroing(target, before=True)),))
        yield Change(f"`{target} = 0` inserted at the end",
                     ((last, _zeroing(target, before=isinstance(last, ast.Return))),))


def _zeroing(target: str, before: bool) -> Transform:
    """The transform that puts ``<target> = 0`` before (or after) the statement it gets."""

    def insert(statement: ast.stmt) -> list[ast.stmt]:
        zeroed = _statement(f"{target} = 0", statement)
        return [zeroed, statement] if before else [statement, zeroed]

    return insert


def _statement(code: str, near: ast.stmt) -> ast.stmt:
    """The statement ``code``, numbered as the line of ``near``."""
    statement = ast.parse(code).body[0]
    statement.lineno = near.lineno
    return statement


def loop_indentation(context: Context) -> Iterator[Change]:
    """Indentation slips around a loop: its body's last statement dedented (after the loop), the
    statement after it indented into the body (a ``return`` that ends the loop's first pass),
    the statement before it indented into the start of the body (a list reset every pass)."""
    for loop in context.region_nodes():
        if not isinstance(loop, (ast.For, ast.While)):
            continue
        if len(loop.body) >= 2:
            yield Change("the loop's last statement moved after the loop",
                         ((loop, _dedent_last),))
        block, position = _block_of(loop, context)
        if block is None:
            continue
        if position + 1 < len(block) and context.in_region(block[position + 1]):
            following = block[position + 1]
            yield Change("the statement after the loop moved into its body", (
                (loop, lambda n, s=following: with_fields(n, body=[*n.body, copy.deepcopy(s)])),
                (following, lambda n: None)))
        if position > 0 and context.in_region(block[position - 1]):
            preceding = block[position - 1]
            yield Change("the statement before the loop moved into its body", (
                (loop, lambda n, s=preceding: with_fields(n, body=[copy.deepcopy(s), *n.body])),
                (preceding, lambda n: None)))


def _block_of(statement: ast.stmt, context: Context) -> tuple[list[ast.stmt] | None, int]:
    """The statement list holding ``statement`` and its position there."""
    parent = context.parents.get(id(statement))
    for name in ("body", "orelse", "finalbody"):
        block = getattr(parent, name, None)
        if isinstance(block, list) and any(s is statement for s in block):
            return block, next(i for i, s in enumerate(block) if s is statement)
    return None, -1


def _dedent_last(loop: ast.For | ast.While) -> list[ast.stmt]:
    """The loop without the last statement of its body, then that statement."""
    last = loop.body[-1]
    loop.body = loop.body[:-1]
    return [loop, last]

