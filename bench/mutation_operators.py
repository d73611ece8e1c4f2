"""Mutation operators of ``bench/mutation_score.py``: each makes one small change to a solution.

An operator looks at one node of the solution's syntax tree (or, for the few that need the
whole function, at the function) and proposes *changes*: each names what it does and says which
nodes of the tree it replaces, and by what. :func:`mutants_of` applies every change to a fresh
copy of the cell, keeps the distinct results, and says for each which operator made it and
which lines it changed.

Operators, in the order they are tried (a mutant two operators both make counts for the first):

===========================  ==================================================================
arithmetic operator          ``+``/``-``, ``*``/``/``, ``**`` to ``*``, ``//`` to ``/``
operand order                operands of ``-``, ``/``, ``@`` swapped
transpose                    ``.T`` dropped, or added to an operand of ``@``
comparison                   ``>``/``>=``, ``<``/``<=``, ``==``/``!=``, ``in``/``not in``...
constant                     0 to 1, 1 to 0 and 2, 2 to 1 and 3, n to n + 1, floats c to 1.5 c,
                             ``True``/``False``
call                         counterpart functions (``maximum``/``minimum``, ``sum``/``mean``...),
                             a call replaced by its argument, a keyword argument dropped
argument order               two positional arguments of a call swapped (any pair, unless both
                             are literals), or the values of two keyword arguments
unary, boolean, condition    ``-x``/``not x`` to ``x``; ``and``/``or``; a condition negated
index / slice                ``x[i]`` to ``x[i + 1]``; slice bounds ``+ 1`` or dropped
tuple order                  the first two items of a tuple or list swapped
augmented to plain           ``x += e`` to ``x = e`` (every augmented operator), and
                             ``x = x + e`` to ``x = e``
in-place on an input         ``p - e`` computed in the input ``p`` itself (``p -= e``, written
                             ``np.subtract(p, e, out=p)`` so that it fits in an expression),
                             also for an item of an input list (``for g in grads``,
                             ``weights[l]``); and ``p[...] = 0`` inserted at the start or at
                             the end of the solution, for every array input
earlier variable returned    a returned (or yielded) value replaced by a local variable
                             assigned before the ``return``
delete statement             ``return x`` to ``return None``; a statement outside loops deleted
delete in a loop             a statement inside a loop's body deleted
loop indentation             the last statement of a loop's body moved after the loop; the
                             statement after a loop moved into its body; the statement before
                             a loop moved to the start of its body
hyper-parameter              the default of ``lr``, ``beta``, ``beta1``, ``beta2``, ``eps``,
                             ``momentum``... changed (0.9 to 0.99 and 0.1, 0.999 to 0.9999 and
                             0.99, small values c to 10 c and c / 10); such a parameter
                             hard-coded as its default; the same changes to float literals of
                             an optimizer (a function with an ``lr``)
step count                   an Adam-style step count ``t`` used as ``t + 1`` or ``t - 1``
                             (everywhere, or at one use)
range / batch end            ``range`` bounds: end - 1, end + 1, start + 1 (start + step), the
                             last partial step dropped (``stop - step + 1``) or the last step
                             (``stop - step``); a slice's end - 1
shuffle one of X, Y          an array indexed with the permutation (or rows taken from it)
                             indexed in the original order instead: one of X, Y not shuffled
average twice                an extra division by the batch size: after a sum or mean, after
                             ``A.T @ delta`` (a sum over the batch), after a division that
                             already averages, after an output delta
===========================  ==================================================================
"""

from __future__ import annotations

import ast
import copy
import difflib
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Mutant:
    """One mutant of a cell: the operator that made it, what it changed, and the new cell."""

    line: int
    operator: str
    kind: str
    before: str
    after: str
    code: str


#: What an operator proposes: a description, and for each node it replaces a function that edits
#: a copy of the node and returns what takes its place (``None`` deletes a statement, a list of
#: statements replaces one statement by several).
Transform = Callable[[Any], Any]


@dataclass(frozen=True)
class Change:
    """One mutation an operator proposes: what it does (``kind``, as the report prints it), and
    the nodes of the original tree it replaces, each with the :data:`Transform` that makes its
    replacement from a copy of it."""

    kind: str
    edits: tuple[tuple[ast.AST, Transform], ...]


@dataclass
class Context:
    """What operators know about the function they mutate.

    ``kinds`` says what each parameter held in the graders' calls: ``"array"`` (a NumPy array),
    ``"arrays"`` (a list or tuple of arrays) or ``"other"``; empty when unknown, in which case
    every parameter may be an array.
    """

    tree: ast.Module
    function: ast.FunctionDef
    region: tuple[int, int]
    kinds: dict[str, str] = field(default_factory=dict)
    parents: dict[int, ast.AST] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for parent in preorder(self.tree):
            for child in ast.iter_child_nodes(parent):
                self.parents[id(child)] = parent

    def in_region(self, node: ast.AST) -> bool:
        """Whether ``node`` starts on a line of the solution region."""
        return self.region[0] <= getattr(node, "lineno", 0) <= self.region[1]

    @property
    def parameters(self) -> list[str]:
        """The function's parameter names, in order."""
        arguments = self.function.args
        return [a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)]

    def kind(self, name: str) -> str:
        """What parameter ``name`` held (``"none"`` for a name that is no parameter)."""
        if name not in self.parameters:
            return "none"
        return self.kinds.get(name, "other") if self.kinds else "array"

    def region_nodes(self) -> Iterator[ast.AST]:
        """The function's nodes on lines of the solution region, in preorder."""
        return (node for node in preorder(self.function) if self.in_region(node))

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        """The nodes that hold ``node``, its parent first."""
        while id(node) in self.parents:
            node = self.parents[id(node)]
            yield node


def mutants_of(code: str, function: str, region: tuple[int, int],
               kinds: dict[str, str] | None = None) -> list[Mutant]:
    """Every distinct mutant of ``function`` in the cell ``code``, changing only lines in
    ``region`` (1-based, inclusive) except the hyper-parameters' defaults of the signature."""
    tree = ast.parse(code)
    defined = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function]
    context = Context(tree, defined[0], region, dict(kinds or {}))
    original = ast.unparse(tree)
    index = {id(node): i for i, node in enumerate(preorder(tree))}
    seen, found = {original}, []
    for operator, change in changes(context):
        mutated = apply(tree, index, change)
        if mutated in seen:
            continue
        seen.add(mutated)
        before, after = describe(original, mutated)
        line = min(getattr(node, "lineno", region[0]) for node, _ in change.edits)
        found.append(Mutant(line, operator, change.kind, before, after, mutated))
    return found


def changes(context: Context) -> Iterator[tuple[str, Change]]:
    """Every change every operator proposes, node operators first, in the tree's order."""
    for node in context.region_nodes():
        for name, operator in NODE_OPERATORS:
            for kind, transform in operator(node, context):
                yield name, Change(kind, ((node, transform),))
    for name, operator in FUNCTION_OPERATORS:
        for change in operator(context):
            yield name, change


def apply(tree: ast.Module, index: dict[int, int], change: Change) -> str:
    """The code of a copy of ``tree`` with ``change`` made (``index``: node id -> position of
    the node in ``tree``'s preorder). Edits run from the last node to the first, so that a
    statement deleted or inserted does not move the places of the others."""
    mutated = copy.deepcopy(tree)
    copies = list(preorder(mutated))
    slots = parent_slots(mutated)
    for node, transform in sorted(change.edits, key=lambda e: index[id(e[0])], reverse=True):
        twin = copies[index[id(node)]]
        replace(slots[id(twin)], transform(twin))
    return ast.unparse(mutated)


def describe(original: str, mutated: str, width: int = 200) -> tuple[str, str]:
    """The lines a mutant changed, before and after, each joined with `` / `` (cut to
    ``width`` characters). A line nested deeper than the function's body starts with one
    ``> `` per extra level, so that a statement moved into or out of a loop shows. An inserted
    line comes with the line it was inserted before, on both sides."""
    old, new = original.splitlines(), mutated.splitlines()
    before, after = [], []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        context = old[i1:i1 + 1] if tag == "insert" else []
        before += old[i1:i2] + context
        after += new[j1:j2] + context

    def join(lines: list[str]) -> str:
        text = " / ".join(nesting(line) for line in lines)
        return text if len(text) <= width else text[:width - 3] + "..."

    return join(before), join(after) or "(deleted)"


def nesting(line: str) -> str:
    """``line`` (of code unparsed by :func:`ast.unparse`, four spaces a level) stripped, with
    ``> `` for each level deeper than a function's body."""
    depth = (len(line) - len(line.lstrip(" "))) // 4
    return "> " * max(depth - 1, 0) + line.strip()


def preorder(node: ast.AST) -> Iterator[ast.AST]:
    """Every node under ``node``, parents before children, fields in order."""
    yield node
    for child in ast.iter_child_nodes(node):
        yield from preorder(child)


def parent_slots(tree: ast.AST) -> dict[int, tuple[ast.AST, str, int | None]]:
    """For each node (by id): its parent, the field holding it, and its index in that field."""
    slots: dict[int, tuple[ast.AST, str, int | None]] = {}
    for parent in preorder(tree):
        for name, value in ast.iter_fields(parent):
            if isinstance(value, ast.AST):
                slots[id(value)] = (parent, name, None)
            elif isinstance(value, list):
                for position, item in enumerate(value):
                    if isinstance(item, ast.AST):
                        slots[id(item)] = (parent, name, position)
    return slots


def replace(slot: tuple[ast.AST, str, int | None], new: Any) -> None:
    """Put ``new`` in ``slot``: ``None`` removes a statement (``pass`` if none is left), a list
    puts several statements in its place."""
    parent, name, position = slot
    if position is None:
        setattr(parent, name, new)
        return
    items = getattr(parent, name)
    if new is None:
        del items[position]
        if not items:
            items.append(ast.Pass())
    elif isinstance(new, list):
        items[position:position + 1] = new
    else:
        items[position] = new


# ---------------------------------------------------------------------------------------------
# Operators on one node: each yields (description, transform of a copy of the node)
# ---------------------------------------------------------------------------------------------

Edit = tuple[str, Transform]

BINOP_SWAPS: dict[type, type] = {
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
    ast.Pow: ast.Mult, ast.FloorDiv: ast.Div}
COMPARE_SWAPS: dict[type, type] = {
    ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn,
    ast.NotIn: ast.In}
SYMBOLS: dict[type, str] = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**", ast.FloorDiv: "//",
    ast.MatMult: "@", ast.Mod: "%", ast.Gt: ">", ast.GtE: ">=", ast.Lt: "<", ast.LtE: "<=",
    ast.Eq: "==", ast.NotEq: "!=", ast.Is: "is", ast.IsNot: "is not", ast.In: "in",
    ast.NotIn: "not in"}
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
               lambda n, new=new: _set(n, op=new()))


def swap_operands(node: ast.AST, context: Context) -> Iterator[Edit]:
    """``a - b`` -> ``b - a`` for the operators whose order matters (``-``, ``/``, ``@``)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Sub, ast.Div, ast.MatMult)):
        yield (f"swap the operands of `{SYMBOLS[type(node.op)]}`",
               lambda n: _set(n, left=n.right, right=n.left))


def transpose(node: ast.AST, context: Context) -> Iterator[Edit]:
    """``x.T`` -> ``x``; and ``.T`` added to an operand of ``@`` that has none."""
    if isinstance(node, ast.Attribute) and node.attr == "T":
        yield "drop `.T`", lambda n: n.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
        for side in ("left", "right"):
            operand = getattr(node, side)
            if not (isinstance(operand, ast.Attribute) and operand.attr == "T"):
                yield (f"add `.T` to the {side} operand of `@`",
                       lambda n, side=side: _set(n, **{side: ast.Attribute(
                           getattr(n, side), "T", ast.Load())}))


def swap_comparison(node: ast.AST, context: Context) -> Iterator[Edit]:
    """``>`` <-> ``>=``, ``<`` <-> ``<=``, ``==`` <-> ``!=``, ``in`` <-> ``not in``..."""
    if isinstance(node, ast.Compare):
        for position, op in enumerate(node.ops):
            if type(op) in COMPARE_SWAPS:
                new = COMPARE_SWAPS[type(op)]
                yield (f"`{SYMBOLS[type(op)]}` -> `{SYMBOLS[new]}`",
                       lambda n, p=position, new=new: _set(n, ops=[
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
               lambda n: _set(n, func=_set(n.func, attr=NAME_SWAPS[n.func.attr])))
    elif isinstance(func, ast.Name) and name in BUILTIN_SWAPS:
        yield (f"`{name}` -> `{BUILTIN_SWAPS[name]}`",
               lambda n: _set(n, func=ast.Name(BUILTIN_SWAPS[n.func.id], ast.Load())))
    if name in UNWRAPPED_FUNCTIONS and node.args and (is_module_function
                                                      or isinstance(func, ast.Name)):
        yield f"drop the call to `{name}`", lambda n: n.args[0]
    if name in UNWRAPPED_METHODS and isinstance(func, ast.Attribute) and not is_module_function:
        yield f"drop `.{name}(...)`", lambda n: n.func.value
    for position, keyword in enumerate(node.keywords):
        if keyword.arg is not None:
            yield (f"drop `{keyword.arg}=`", lambda n, p=position: _set(
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
        if not (_is_constant(node.args[i]) and _is_constant(node.args[j])):
            yield (f"swap arguments {i + 1} and {j + 1} of `{name}`",
                   lambda n, i=i, j=j: _set(n, args=_swapped(n.args, i, j)))
    named = [i for i, k in enumerate(node.keywords) if k.arg is not None]
    for i, j in itertools.combinations(named, 2):
        first, second = node.keywords[i], node.keywords[j]
        if not (_is_constant(first.value) and _is_constant(second.value)):
            yield (f"swap the values of `{first.arg}=` and `{second.arg}=` of `{name}`",
                   lambda n, i=i, j=j: _set(n, keywords=_swap_values(n.keywords, i, j)))


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
            lambda n, new=new: _set(n, op=new())


def negate_condition(node: ast.AST, context: Context) -> Iterator[Edit]:
    """The condition of an ``if``, ``while`` or conditional expression negated."""
    if isinstance(node, (ast.If, ast.While, ast.IfExp)):
        yield "negate the condition", lambda n: _set(n, test=ast.UnaryOp(ast.Not(), n.test))


def off_by_one(node: ast.AST, context: Context) -> Iterator[Edit]:
    """``x[i]`` -> ``x[i + 1]``; slice bounds ``+ 1`` or dropped (constants: see constants)."""
    if isinstance(node, ast.Subscript) and isinstance(node.slice, (ast.Name, ast.BinOp)):
        yield "index + 1", lambda n: _set(n, slice=_shift(n.slice, 1))
    if isinstance(node, ast.Slice):
        for bound in ("lower", "upper"):
            value = getattr(node, bound)
            if value is None:
                continue
            if not _is_constant(value):
                yield (f"slice {bound} bound + 1",
                       lambda n, b=bound: _set(n, **{b: _shift(getattr(n, b), 1)}))
            yield f"drop the slice's {bound} bound", lambda n, b=bound: _set(n, **{b: None})


def swap_elements(node: ast.AST, context: Context) -> Iterator[Edit]:
    """The first two items of a tuple or list swapped (``return a, b``; ``a, b = ...``)."""
    if isinstance(node, (ast.Tuple, ast.List)) and len(node.elts) >= 2:
        yield "swap the first two items of a tuple", \
            lambda n: _set(n, elts=[n.elts[1], n.elts[0], *n.elts[2:]])


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
               lambda n: _set(n, value=n.value.right))


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


def mutate_statement(node: ast.AST, context: Context) -> Iterator[Edit]:
    """``return x`` -> ``return None``; any other statement outside loops deleted."""
    if isinstance(node, ast.Return):
        if node.value is not None and not _is_constant(node.value):
            yield "return None", lambda n: _set(n, value=None)
    elif isinstance(node, ast.stmt) and not isinstance(node, ast.Pass) \
            and not in_loop(node, context):
        yield "delete", lambda n: None


def delete_in_loop(node: ast.AST, context: Context) -> Iterator[Edit]:
    """A statement inside a loop's body deleted (``return`` excepted: see ``return None``)."""
    if isinstance(node, ast.stmt) and not isinstance(node, (ast.Pass, ast.Return)) \
            and in_loop(node, context):
        yield "delete (in a loop)", lambda n: None


#: Operators on one node, in the order they are tried.
NODE_OPERATORS: tuple[tuple[str, Callable[[ast.AST, Context], Iterator[Edit]]], ...] = (
    ("arithmetic operator", swap_operator),
    ("operand order", swap_operands),
    ("transpose", transpose),
    ("comparison", swap_comparison),
    ("constant", tweak_constant),
    ("call", mutate_call),
    ("argument order", swap_arguments),
    ("unary", mutate_unary),
    ("boolean", mutate_boolean),
    ("condition", negate_condition),
    ("index / slice", off_by_one),
    ("tuple order", swap_elements),
    ("augmented to plain", augmented_to_plain),
    ("in-place on an input", in_place_operation),
    ("earlier variable returned", earlier_variable),
    ("delete statement", mutate_statement),
    ("delete in a loop", delete_in_loop),
)


# ---------------------------------------------------------------------------------------------
# Operators on the whole function: each yields Changes (possibly of several nodes at once)
# ---------------------------------------------------------------------------------------------

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
                     ((first, lambda n, t=target: [_statement(f"{t} = 0", n), n]),))
        at_end = (lambda n, t=target: [_statement(f"{t} = 0", n), n]) if isinstance(
            last, ast.Return) else (lambda n, t=target: [n, _statement(f"{t} = 0", n)])
        yield Change(f"`{target} = 0` inserted at the end", ((last, at_end),))


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
                (loop, lambda n, s=following: _set(n, body=[*n.body, copy.deepcopy(s)])),
                (following, lambda n: None)))
        if position > 0 and context.in_region(block[position - 1]):
            preceding = block[position - 1]
            yield Change("the statement before the loop moved into its body", (
                (loop, lambda n, s=preceding: _set(n, body=[copy.deepcopy(s), *n.body])),
                (preceding, lambda n: None)))


def _dedent_last(loop: ast.For | ast.While) -> list[ast.stmt]:
    """The loop without the last statement of its body, then that statement."""
    last = loop.body[-1]
    loop.body = loop.body[:-1]
    return [loop, last]


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
        uses = [n for n in context.region_nodes() if _loads(n, name)]
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


#: Names of a step counter (Adam's t), which the step-count operator shifts by one.
STEP_NAMES = frozenset({"t", "step", "timestep", "iteration"})


def step_count(context: Context) -> Iterator[Change]:
    """A step counter ``t`` used as ``t + 1`` or ``t - 1`` everywhere, or as ``t + 1`` at one
    of its uses (when it has several)."""
    for name in STEP_NAMES & set(context.parameters):
        uses = [n for n in context.region_nodes() if _loads(n, name)]
        if not uses:
            continue
        for delta in (1, -1):
            yield Change(f"`{name}` -> `{name} {'+' if delta > 0 else '-'} 1` everywhere",
                         tuple((u, lambda n, d=delta: _shift(n, d)) for u in uses))
        if len(uses) > 1:
            for number, use in enumerate(uses, 1):
                yield Change(f"`{name}` -> `{name} + 1` at its use {number}",
                             ((use, lambda n: _shift(n, 1)),))


def range_bounds(context: Context) -> Iterator[Change]:
    """``range`` bounds: end - 1, end + 1, start + 1 (start + step); with a step, the last
    partial step dropped (``stop - step + 1``, e.g. the last partial minibatch) or the last step
    (``stop - step``); a slice's end - 1 (one row short)."""
    for node in context.region_nodes():
        if isinstance(node, ast.Slice) and node.upper is not None:
            yield Change("slice end - 1", ((node, lambda n: _set(n, upper=_shift(n.upper, -1))),))
        if not (isinstance(node, ast.Call) and call_name(node) == "range" and not node.keywords
                and 1 <= len(node.args) <= 3):
            continue
        stop = 0 if len(node.args) == 1 else 1
        yield Change("range end - 1", ((node, lambda n, s=stop: _set_arg(n, s, _shift(
            n.args[s], -1))),))
        yield Change("range end + 1", ((node, lambda n, s=stop: _set_arg(n, s, _shift(
            n.args[s], 1))),))
        if len(node.args) == 1:
            yield Change("range starts at 1", ((node, lambda n: _set(
                n, args=[ast.Constant(1), n.args[0]])),))
        elif len(node.args) == 2:
            yield Change("range start + 1", ((node, lambda n: _set_arg(n, 0, _shift(
                n.args[0], 1))),))
        else:
            yield Change("range start + step (first step skipped)", ((node, lambda n: _set_arg(
                n, 0, _plus(n.args[0], n.args[2]))),))
            yield Change("range end - step + 1 (last partial step dropped)", ((
                node, lambda n: _set_arg(n, 1, _shift(_minus(n.args[1], n.args[2]), 1))),))
            yield Change("range end - step (last step dropped)", ((node, lambda n: _set_arg(
                n, 1, _minus(n.args[1], n.args[2]))),))


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
        value = statement.value
        calls = [c for c in preorder(value) if isinstance(c, ast.Call)]
        if isinstance(statement, ast.Assign) and _single_name(statement) and any(
                call_name(c) in PERMUTING for c in calls):
            permutations.add(_single_name(statement))
        permutations |= {a.id for c in calls if call_name(c) in SHUFFLING
                         for a in c.args[:1] if isinstance(a, ast.Name)}
    for statement in statements:
        value = statement.value
        if (isinstance(statement, ast.Assign) and _single_name(statement)
                and isinstance(value, ast.Subscript) and isinstance(value.value, ast.Name)
                and value.value.id in permutations):
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
            transform = lambda n, o=original: _set(n, slice=copy.deepcopy(o))  # noqa: E731
        yield Change(f"`{ast.unparse(node)}` in the original order: `{node.value.id}` not "
                     "shuffled", ((node, transform),))


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


#: Operators on the whole function, tried after the node operators.
FUNCTION_OPERATORS: tuple[tuple[str, Callable[[Context], Iterator[Change]]], ...] = (
    ("in-place on an input", in_place_insertion),
    ("loop indentation", loop_indentation),
    ("hyper-parameter", hyperparameter),
    ("step count", step_count),
    ("range / batch end", range_bounds),
    ("shuffle one of X, Y", shuffle_one),
    ("average twice", average_twice),
)


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

def call_name(node: ast.Call) -> str:
    """``f`` of ``f(...)``, ``np.f(...)`` or ``x.f(...)``."""
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def in_loop(node: ast.AST, context: Context) -> bool:
    """Whether ``node`` is inside a ``for`` or ``while`` body of its own function."""
    for ancestor in context.ancestors(node):
        if isinstance(ancestor, (ast.FunctionDef, ast.Lambda)):
            return False
        if isinstance(ancestor, (ast.For, ast.While)):
            return True
    return False


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


def defaults(function: ast.FunctionDef) -> dict[str, ast.expr]:
    """Each parameter with a default, and the default's node."""
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    found = dict(zip([a.arg for a in positional[len(positional) - len(arguments.defaults):]],
                     arguments.defaults, strict=True))
    found.update({a.arg: d for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults,
                                           strict=True) if d is not None})
    return found


def _block_of(statement: ast.stmt, context: Context) -> tuple[list[ast.stmt] | None, int]:
    """The statement list holding ``statement`` and its position there."""
    parent = context.parents.get(id(statement))
    for name in ("body", "orelse", "finalbody"):
        block = getattr(parent, name, None)
        if isinstance(block, list) and any(s is statement for s in block):
            return block, next(i for i, s in enumerate(block) if s is statement)
    return None, -1


def _set(node: ast.AST, **fields: Any) -> ast.AST:
    """``node`` with ``fields`` changed (in place)."""
    for name, value in fields.items():
        setattr(node, name, value)
    return node


def _set_arg(call: ast.Call, position: int, value: ast.expr) -> ast.Call:
    call.args = [value if i == position else a for i, a in enumerate(call.args)]
    return call


def _swapped(items: Sequence[Any], i: int, j: int) -> list[Any]:
    swapped = list(items)
    swapped[i], swapped[j] = swapped[j], swapped[i]
    return swapped


def _swap_values(keywords: Sequence[ast.keyword], i: int, j: int) -> list[ast.keyword]:
    values = _swapped([k.value for k in keywords], i, j)
    return [ast.keyword(k.arg, v) for k, v in zip(keywords, values, strict=True)]


def _replace_item(node: ast.Return | ast.Yield, position: int, name: str) -> ast.AST:
    variable = ast.Name(name, ast.Load())
    if isinstance(node.value, ast.Tuple):
        node.value.elts[position] = variable
    else:
        node.value = variable
    return node


def _ufunc_call(ufunc: str, target: ast.expr, other: ast.expr) -> ast.Call:
    """``np.<ufunc>(target, other, out=target)``: ``target <op>= other`` as an expression."""
    return ast.Call(ast.Attribute(ast.Name("np", ast.Load()), ufunc, ast.Load()),
                    [target, other], [ast.keyword("out", copy.deepcopy(target))])


def _statement(code: str, near: ast.stmt) -> ast.stmt:
    statement = ast.parse(code).body[0]
    statement.lineno = near.lineno
    return statement


def _value_of(expression: ast.expr) -> Any:
    """The value of a literal, possibly negated."""
    if isinstance(expression, ast.UnaryOp) and isinstance(expression.op, ast.USub):
        return -_value_of(expression.operand)
    return expression.value


def _shift(expression: ast.expr, delta: int) -> ast.expr:
    """``expression + delta``, folded when ``expression`` is a number."""
    if _is_constant(expression) and isinstance(_value_of(expression), int):
        value = _value_of(expression) + delta
        return ast.Constant(value) if value >= 0 else ast.UnaryOp(ast.USub(), ast.Constant(-value))
    return ast.BinOp(expression, ast.Add() if delta > 0 else ast.Sub(), ast.Constant(abs(delta)))


def _plus(left: ast.expr, right: ast.expr) -> ast.expr:
    return ast.BinOp(copy.deepcopy(left), ast.Add(), copy.deepcopy(right))


def _minus(left: ast.expr, right: ast.expr) -> ast.expr:
    return ast.BinOp(copy.deepcopy(left), ast.Sub(), copy.deepcopy(right))


def _len(name: str) -> ast.Call:
    return ast.Call(ast.Name("len", ast.Load()), [ast.Name(name, ast.Load())], [])


def _round(value: float) -> float:
    return float(f"{value:.10g}")


def _is_constant(expression: ast.expr) -> bool:
    """A literal, possibly negated (``-1``)."""
    if isinstance(expression, ast.UnaryOp):
        return _is_constant(expression.operand)
    return isinstance(expression, ast.Constant)


def _is_number(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
        and not isinstance(node.value, bool)


def _is_batch_size(expression: ast.expr) -> bool:
    """``A.shape[0]``, ``len(A)``, ``m`` or ``A.size``: how code writes a batch's size."""
    if isinstance(expression, ast.Subscript) and isinstance(expression.value, ast.Attribute):
        return expression.value.attr == "shape" and _is_constant(expression.slice) \
            and _value_of(expression.slice) == 0
    if isinstance(expression, ast.Call):
        return call_name(expression) == "len"
    return (isinstance(expression, ast.Name) and expression.id == "m") or (
        isinstance(expression, ast.Attribute) and expression.attr == "size")


def _loads(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)


def _single_name(statement: ast.Assign) -> str | None:
    targets = statement.targets
    return targets[0].id if len(targets) == 1 and isinstance(targets[0], ast.Name) else None
