"""The mutation benchmark's report: tallies by graded function, by operator, by notebook and
overall, the score against its target, and the lists of survivors, argued equivalents,
timeouts and errors.

    score = (killed + timeouts) / (generated - equivalent - argued), target at least 98%

A survivor whose key is in the table of argued equivalents (``mutation_mistakes``'s
``ARGUED_EQUIVALENT``, handed in by the caller) is marked *argued*, with its reason; the report
flags entries of that table that match no survivor or several mutants.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from mutation_outcomes import ARGUED, EQUIVALENT, ERROR, KILLED, SURVIVED, TIMEOUT, Result
from mutation_running import Job

TARGET_SCORE = 0.98
#: A mutant's key in the table of argued equivalents: (its function's first exercise, what the
#: operator did, the lines before, after), as the report's lists print them.
ArguedKey = tuple[str, str, str, str]


def argue(jobs: Sequence[Job], results: Sequence[Result], table: Mapping[ArguedKey, str]
          ) -> tuple[list[Result], list[str]]:
    """The results with every survivor listed in ``table`` marked ARGUED (its reason as the
    detail), and the problems of the table: entries that match no survivor of this run (stale:
    to remove, or the mutant changed), and keys that match several mutants (too vague to argue
    one of them)."""
    argued, used = [], set()
    counts: dict[ArguedKey, int] = {}
    for job in jobs:
        counts[argued_key(job)] = counts.get(argued_key(job), 0) + 1
    for job, result in zip(jobs, results, strict=True):
        key = argued_key(job)
        if result.status == SURVIVED and key in table:
            used.add(key)
            result = Result(ARGUED, table[key])
        argued.append(result)
    exercises = {e for job in jobs for e in job.target.exercises}
    problems = [f"matches no survivor: {' | '.join(key)}" for key in table
                if key not in used and key[0] in exercises]
    problems += [f"matches {counts[key]} mutants: {' | '.join(key)}" for key in used
                 if counts[key] > 1]
    return argued, problems


def argued_key(job: Job) -> ArguedKey:
    """A mutant's key in the table of argued equivalents: (its function's first exercise, what
    the operator did, lines before, lines after), as :func:`listing` prints them."""
    return job.target.exercises[0], job.mutant.kind, job.mutant.before, job.mutant.after


@dataclass
class Tally:
    """Outcome counts of a group of mutants."""

    generated: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, result: Result) -> None:
        """Count one more mutant with this result."""
        self.generated += 1
        self.counts[result.status] = self.counts.get(result.status, 0) + 1

    def __getitem__(self, status: str) -> int:
        return self.counts.get(status, 0)

    @property
    def score(self) -> float:
        """(killed + timeouts) / (generated - equivalent - argued equivalent)."""
        scored = self.generated - self[EQUIVALENT] - self[ARGUED]
        return (self[KILLED] + self[TIMEOUT]) / scored if scored else 1.0

    def row(self, name: str, extra: str = "") -> str:
        """The tally as one line of the report's tables."""
        return (f"  {name:38s}{extra}{self.generated:>6d}{self[KILLED]:>8d}{self[TIMEOUT]:>6d}"
                f"{self[EQUIVALENT]:>7d}{self[ARGUED]:>7d}{self[SURVIVED] + self[ERROR]:>7d}"
                f"{self.score:>8.1%}")


def header_row(name: str, extra: str = "") -> str:
    """Column titles of :meth:`Tally.row`."""
    return f"  {name:38s}{extra}{'gen.':>6s}{'killed':>8s}{'t/o':>6s}{'equiv':>7s}" \
           f"{'argued':>7s}{'surv.':>7s}{'score':>8s}"


def report(jobs: Sequence[Job], results: Sequence[Result], totals: dict[str, int],
           argued: Mapping[ArguedKey, str], show_equivalent: bool = False) -> None:
    """Print the tallies by function, by operator, by notebook and overall, then the survivors,
    the mutants argued equivalent in ``argued`` (and the equivalent ones, if asked)."""
    results, problems = argue(jobs, results, argued)
    by_target: dict[str, Tally] = {}
    by_operator: dict[str, Tally] = {}
    by_notebook: dict[str, Tally] = {}
    overall = Tally()
    for job, result in zip(jobs, results, strict=True):
        for tally in (by_target.setdefault(job.target.label, Tally()),
                      by_operator.setdefault(job.mutant.operator, Tally()),
                      by_notebook.setdefault(job.notebook.name, Tally()), overall):
            tally.add(result)
    print("\nBy graded function (+n: n more graders call the same function; of: mutants found)")
    print(header_row("exercise", f"{'of':>6s}"))
    for label, tally in by_target.items():
        print(tally.row(label, f"{totals[label]:>6d}"))
    print("\nBy operator (a mutant two operators make counts for the first)")
    print(header_row("operator"))
    for name, tally in sorted(by_operator.items(), key=lambda item: -item[1].generated):
        print(tally.row(name))
    print("\nBy notebook")
    print(header_row("notebook"))
    for name, tally in by_notebook.items():
        print(tally.row(name))
    print(overall.row("overall"))
    verdict = "met" if overall.score >= TARGET_SCORE else "NOT met"
    print(f"\nscore = (killed + timeouts) / (generated - equivalent - argued) = "
          f"{overall.score:.1%}  (target >= {TARGET_SCORE:.0%}: {verdict})")
    listing(jobs, results, SURVIVED, "Surviving mutants, neither killed nor argued equivalent")
    listing(jobs, results, ARGUED, "Surviving mutants argued equivalent (left out of the score)")
    if problems:
        print(f"\nEntries of ARGUED_EQUIVALENT to fix ({len(problems)}):")
        print("\n".join(f"  {problem}" for problem in problems))
    listing(jobs, results, TIMEOUT, "Timeouts (counted as killed)")
    listing(jobs, results, ERROR, "Errors of this script (counted against the score: check them)")
    if show_equivalent:
        listing(jobs, results, EQUIVALENT, "Equivalent mutants (left out of the score)")


def listing(jobs: Sequence[Job], results: Sequence[Result], status: str, title: str) -> None:
    """Print the mutants whose result has ``status``: where, which operator, what changed, and
    the detail (for an argued one, its reason). The key of a mutant in ARGUED_EQUIVALENT is
    the exercise, what the operator did (after the colon), and the two lines."""
    chosen = [(job, result) for job, result in zip(jobs, results, strict=True)
              if result.status == status]
    if status != SURVIVED and not chosen:
        return
    print(f"\n{title} ({len(chosen)}):")
    for job, result in chosen:
        mutant = job.mutant
        detail = f"\n      ({result.detail})" if result.detail else ""
        print(f"  {job.target.exercises[0]}, cell {job.target.cell} line {mutant.line}, "
              f"{mutant.operator}: {mutant.kind}\n"
              f"      {mutant.before}\n   -> {mutant.after}{detail}")

