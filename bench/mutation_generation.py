"""The mutants of a graded function: the operators' and the hand-written mistakes, distinct.

:func:`mutants_of` applies every change the operators of ``mutation_operators.py`` propose to a
fresh copy of the cell, keeps the distinct results, and says for each which operator made it
and which lines it changed; :func:`hand_written` makes the mistakes of
``mutation_mistakes.HAND_WRITTEN``; :func:`mutants` puts both together for one graded function
and keeps at most ``--cap`` of them (a seeded sample).
"""

from __future__ import annotations

import ast
import copy
import difflib
import random
from dataclasses import dataclass
from typing import Any

from mutation_mistakes import HAND_WRITTEN, HAND_WRITTEN_OPERATOR
from mutation_notebooks import Target
from mutation_operators import changes
from mutation_syntax import Change, Context, preorder


@dataclass(frozen=True)
class Mutant:
    """One mutant of a cell: the operator that made it, what it changed, and the new cell."""

    line: int
    operator: str
    kind: str
    before: str
    after: str
    code: str


def mutants_of(code: str, function: str, region: tuple[int, int],
               kinds: dict[str, str] | None = None) -> list[Mutant]:
    """Every distinct mutant of ``function`` in the cell ``code``, changing only lines in
    ``region`` (1-based, inclusive) except the hyper-parameters' defaults of the signature."""
    tree = ast.parse(code)
    defined = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function]
    context = Context(tree, defined[0], region, dict(kinds or {}))
    original = normalized(code)
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


def normalized(code: str) -> str:
    """``code`` as :func:`ast.unparse` writes it, as every mutant's code is written: two
    mutants are the same when these are."""
    return ast.unparse(ast.parse(code))


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


def mutants(target: Target, cap: int, kinds: dict[str, str] | None = None
            ) -> tuple[list[Mutant], int]:
    """Distinct mutants of ``target`` (at most ``cap``, a seeded sample) and how many there were:
    the operators' mutants, then the hand-written mistakes of its exercises.

    ``kinds`` says what each parameter held in the graders' calls (see
    :class:`mutation_syntax.Context`).
    """
    found = mutants_of(target.code, target.function, target.region, kinds)
    seen = {normalized(target.code), *(m.code for m in found)}
    for mutant in hand_written(target):
        if mutant.code not in seen:
            seen.add(mutant.code)
            found.append(mutant)
    if len(found) <= cap:
        return found, len(found)
    rng = random.Random(target.seed)
    kept = sorted(rng.sample(range(len(found)), cap))
    return [found[i] for i in kept], len(found)


class StaleMistake(ValueError):
    """A hand-written mistake whose original text is no longer in its solution."""


def hand_written(target: Target) -> list[Mutant]:
    """The hand-written mistakes of ``target``'s exercises, as mutants of its cell: each replaces
    a piece of the solution's text, which must occur once, inside the solution region."""
    original = normalized(target.code)
    lines = target.code.splitlines(keepends=True)
    start = sum(len(line) for line in lines[:target.region[0] - 1])
    end = sum(len(line) for line in lines[:target.region[1]])
    found = []
    for exercise in target.exercises:
        for mistake in HAND_WRITTEN.get(exercise, ()):
            where = target.code.find(mistake.old, start, end)
            if where < 0 or target.code.find(mistake.old, where + 1, end) >= 0:
                raise StaleMistake(f"{exercise}: hand-written mistake {mistake.name!r}: its "
                                   f"text {mistake.old!r} is not once in the solution")
            code = target.code[:where] + mistake.new + target.code[where + len(mistake.old):]
            mutated = normalized(code)
            before, after = describe(original, mutated)
            line = target.code.count("\n", 0, where) + 1
            found.append(Mutant(line, HAND_WRITTEN_OPERATOR, mistake.name, before, after, mutated))
    return found
