"""The `contract-check` agent (commit phase): API contract breaks between base and head.

Modules (see README.md for the contracts and where to put a new check):

- model.py: Level, Direction, Scope, Hit, Check, CheckList, ContractError
- loader.py: documents read from git (YAML/JSON, cross-file $refs), validation
- pairs.py: what checks are given: base and head of an operation, a parameter, a response...
- schema_pair.py: SchemaPair, a schema node at base and head with the helpers checks share
- checks_operations.py: document, paths, operations, security requirements
- checks_io.py: parameters, request bodies, responses, headers
- checks_schema.py: type, format, enum, nullability, default, readOnly, variants, discriminator
- checks_constraints.py: lengths, ranges, patterns, items, additionalProperties
- checks_objects.py: properties removed, renamed, added, required
- catalogue.py: CATALOGUE, every check by id (one explicit list of modules)
- schemas.py: the schema diff (component pairs, $ref identity, unions)
- engine.py: the document walk: diff_documents, changed_operations
- graphql.py: GraphQL SDL via graphql-core's breaking and dangerous changes
- ignore.py: the ignore file (accepted breaks with reason and expiry)
- render.py: evidence: findings JSON, Markdown changelog, JUnit XML
- agent.py: ContractCheckSettings, the agent function and its SPEC
"""

from tasks.contract_check.agent import METRICS, SPEC, ContractCheckSettings, contract_check
from tasks.contract_check.catalogue import CATALOGUE, Catalogue
from tasks.contract_check.engine import Change, ContractDiff, changed_operations, diff_documents, operation_names
from tasks.contract_check.graphql import GRAPHQL_CHECKS, diff_graphql, graphql_operations, load_sdl
from tasks.contract_check.ignore import EXPIRED_RULE, IgnoreEntry, IgnoreOutcome, apply_ignores, parse_ignore_file
from tasks.contract_check.loader import (
    Document,
    git_reader,
    load_document,
    parse_text,
    path_reader,
    validate_document,
)
from tasks.contract_check.model import Check, CheckList, ContractError, Direction, Hit, Level, Scope
from tasks.contract_check.pairs import (
    BodyPair,
    DocumentPair,
    OperationPair,
    ParameterPair,
    ParametersPair,
    ResponsePair,
    ResponsesPair,
    SecurityPair,
)
from tasks.contract_check.render import ContractSummary, changelog_markdown, findings_json, junit_xml
from tasks.contract_check.schema_pair import (
    Bound,
    Resolve,
    SchemaPair,
    Variants,
    is_nullable,
    prop_token,
    schema_types,
    type_signature,
    value_key,
)
from tasks.contract_check.schemas import SchemaDiffer, SchemaHit, short_label

__all__ = [
    "CATALOGUE",
    "EXPIRED_RULE",
    "GRAPHQL_CHECKS",
    "METRICS",
    "SPEC",
    "BodyPair",
    "Bound",
    "Catalogue",
    "Change",
    "Check",
    "CheckList",
    "ContractCheckSettings",
    "ContractDiff",
    "ContractError",
    "ContractSummary",
    "Direction",
    "Document",
    "DocumentPair",
    "Hit",
    "IgnoreEntry",
    "IgnoreOutcome",
    "Level",
    "OperationPair",
    "ParameterPair",
    "ParametersPair",
    "Resolve",
    "ResponsePair",
    "ResponsesPair",
    "SchemaDiffer",
    "SchemaHit",
    "SchemaPair",
    "Scope",
    "SecurityPair",
    "Variants",
    "apply_ignores",
    "changed_operations",
    "changelog_markdown",
    "contract_check",
    "diff_documents",
    "diff_graphql",
    "findings_json",
    "git_reader",
    "graphql_operations",
    "is_nullable",
    "junit_xml",
    "load_document",
    "load_sdl",
    "operation_names",
    "parse_ignore_file",
    "parse_text",
    "path_reader",
    "prop_token",
    "schema_types",
    "short_label",
    "type_signature",
    "validate_document",
    "value_key",
]
