"""nbgrader's check of a notebook's grading metadata, with its JSON schema compiled once.

nbgrader's ``CheckCellMetadata`` runs twice on every graded notebook (after the submission is
sanitized, and last of all) and checks each cell's ``nbgrader`` metadata with
``jsonschema.validate``, which checks the schema itself again before every cell, after reading
the schema files anew for every notebook. That was about a tenth of a second of a grading
worker's CPU per notebook, a fifth of the worker's own work on a ps1 submission.
:class:`CheckCellMetadata` here makes the same checks with one compiled validator per process:
the same cells pass, and a cell that does not fails with the error ``jsonschema.validate``
would give (its best match). ``nbgrader_config.py`` puts it in nbgrader's place.
"""

from __future__ import annotations

import functools
import traceback
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match
from nbformat import NotebookNode
from nbgrader.nbgraderformat import MetadataValidator, ValidationError
from nbgrader.nbgraderformat.common import (
    BaseMetadataValidator,
    SchemaTooNewError,
    SchemaTooOldError,
)
from nbgrader.preprocessors import CheckCellMetadata as NbgraderCheckCellMetadata


class _CompiledSchema(BaseMetadataValidator):
    """nbgrader's base ``validate_cell`` (the schema version, then the JSON schema) with the
    schema compiled once."""

    def validate_cell(self, cell: NotebookNode) -> None:
        if "nbgrader" not in cell.metadata:
            return
        version = cell.metadata["nbgrader"].get("schema_version", 0)
        if version < self.schema_version:
            raise SchemaTooOldError(
                f"Outdated schema version: {version} (expected {self.schema_version})",
                version, self.schema_version)
        if version > self.schema_version:
            raise SchemaTooNewError(
                f"Schema version is too new: {version} (expected {self.schema_version})",
                version, self.schema_version)
        error = best_match(self._compiled.iter_errors(cell.metadata["nbgrader"]))
        if error is not None:
            raise error


class CompiledMetadataValidator(MetadataValidator, _CompiledSchema):
    """nbgrader's metadata validator for the current schema version. Its own checks of a cell
    (grade id, points, cell types) call the base check through ``super()``, which the method
    order sends to :class:`_CompiledSchema` instead of nbgrader's base."""

    def __init__(self) -> None:
        super().__init__()
        kind = jsonschema.validators.validator_for(self.schema)
        kind.check_schema(self.schema)
        self._compiled = kind(self.schema)


@functools.cache
def validator() -> CompiledMetadataValidator:
    """This process's validator (the schema files are read once)."""
    return CompiledMetadataValidator()


class CheckCellMetadata(NbgraderCheckCellMetadata):
    """nbgrader's ``CheckCellMetadata`` (grade ids unique, cell types and flags consistent,
    metadata matching the schema) with :class:`CompiledMetadataValidator`."""

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]
                   ) -> tuple[NotebookNode, dict[str, Any]]:
        try:
            validator().validate_nb(nb)
        except ValidationError:
            self.log.error(traceback.format_exc())
            message = "Notebook failed to validate; the nbgrader metadata may be corrupted."
            self.log.error(message)
            raise ValidationError(message) from None
        return nb, resources
