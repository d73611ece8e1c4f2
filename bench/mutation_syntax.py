"""What the mutation operators share: the change they propose, the function they look at, and
small helpers that read and build syntax trees.

An operator of ``mutation_operators.py`` receives a :class:`Context` (the function, its solution
region, what its parameters held in the graders' calls) and proposes :class:`Change` objects;
``mutation_generation.py`` applies them to copies of the cell.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

#: What an operator proposes: a description, and for each node it replaces a function that edits
#: a copy of the node and returns what takes its place (``None`` deletes a statement, a list of
#: statements replaces one statement by several).
Transform = Callable[[Any], Any]
#: What an operator on one node yields: its description and the transform of a copy of the node.
Edit = tuple[str, Transform]


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

    def uses_of(self, name: str) -> list[ast.Name]:
        """Where the solution region reads the variable ``name``, in preorder."""
        return [node for node in self.region_nodes() if isinstance(node, ast.Name)
                and node.id == name and isinstance(node.ctx, ast.Load)]

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        """The nodes that hold ``node``, its parent first."""
        while id(node) in self.parents:
            node = self.parents[id(node)]
            yield node


SYMBOLS: dict[type, str] = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**", ast.FloorDiv: "//",
    ast.MatMult: "@", ast.Mod: "%", ast.Gt: ">", ast.GtE: ">=", ast.Lt: "<", ast.LtE: "<=",
    ast.Eq: "==", ast.NotEq: "!=", ast.Is: "is", ast.IsNot: "is not", ast.In: "in",
    ast.NotIn: "not in"}


def preorder(node: ast.AST) -> Iterator[ast.AST]:
    """Every node under ``node``, parents before children, fields in order."""
    yield node
    for child in ast.iter_child_nodes(node):
        yield from preorder(child)


def call_name(node: ast.Call) -> str:
    """``f`` of ``f(...)``, ``np.f(...)`` or ``x.f(...)``."""
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def with_fields(node: ast.AST, **fields: Any) -> ast.AST:
    """``node`` with ``fields`` changed (in place)."""
    for name, value in fields.items():
        setattr(node, name, value)
    return node


def shifted(expression: ast.expr, delta: int) -> ast.expr:
    """``expression + delta``, folded when ``expression`` is a number."""
    if is_literal(expression) and isinstance(literal_value(expression), int):
        value = literal_value(expression) + delta
        return ast.Constant(value) if value >= 0 else ast.UnaryOp(ast.USub(), ast.Constant(-value))
    return ast.BinOp(expression, ast.Add() if delta > 0 else ast.Sub(), ast.Constant(abs(delta)))


def literal_value(expression: ast.expr) -> Any:
    """The value of a literal, possibly negated."""
    if isinstance(expression, ast.UnaryOp) and isinstance(expression.op, ast.USub):
        return -literal_value(expression.operand)
    return expression.value


def is_literal(expression: ast.expr) -> bool:
    """A literal, possibly negated (``-1``)."""
    if isinstance(expression, ast.UnaryOp):
        return is_literal(expression.operand)
    return isinstance(expression, ast.Constant)
