"""The mutation operators of ``bench/mutation_score.py``, by name, in the order they are tried.

An operator looks at one node of the solution's syntax tree (or, for the few that need the
whole function, at the function) and proposes *changes*: each names what it does and says which
nodes of the tree it replaces, and by what. The operators live with the slips they make:
``mutation_expression_slips.py`` (inside an expression), ``mutation_statement_slips.py`` (a
statement, the flow of data, a loop's edge) and ``mutation_training_slips.py`` (a training
loop and its optimizers). :func:`mutation_generation.mutants_of` applies every change to a
fresh copy of the cell and keeps the distinct results.

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
from collections.abc import Callable, Iterator

from mutation_expression_slips import (
    mutate_boolean,
    mutate_call,
    mutate_unary,
    negate_condition,
    off_by_one,
    swap_arguments,
    swap_comparison,
    swap_elements,
    swap_operands,
    swap_operator,
    transpose,
    tweak_constant,
)
from mutation_statement_slips import (
    augmented_to_plain,
    delete_in_loop,
    earlier_variable,
    in_place_insertion,
    in_place_operation,
    loop_indentation,
    mutate_statement,
)
from mutation_syntax import Change, Context, Edit
from mutation_training_slips import (
    average_twice,
    hyperparameter,
    range_bounds,
    shuffle_one,
    step_count,
)

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


def changes(context: Context) -> Iterator[tuple[str, Change]]:
    """Every change every operator proposes, with the operator's name: the node operators
    first, node by node in the tree's order, then the operators on the whole function."""
    for node in context.region_nodes():
        for name, operator in NODE_OPERATORS:
            for kind, transform in operator(node, context):
                yield name, Change(kind, ((node, transform),))
    for name, operator in FUNCTION_OPERATORS:
        for change in operator(context):
            yield name, change
