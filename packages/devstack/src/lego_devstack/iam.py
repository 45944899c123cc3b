"""Issue 13 item 1: does each function's IAM policy allow the AWS calls its code makes?

Two halves, both test-only (never zipped):

- `evaluate`: IAM policy evaluation for identity policies (explicit Deny wins, else an Allow
  whose Action, Resource and Condition match, else implicit deny), with `*`/`?` wildcards and
  the String/Arn/Bool condition operators (IfExists too). No package on PyPI does this offline
  and is kept up (moto's evaluator only knows StringEquals and denies on an unmet Allow
  condition; parliament and policyuniverse lint or expand, they do not evaluate); an operator
  it does not know raises instead of guessing.
- `CallRecorder`: a botocore `provide-client-params` hook on the default boto3 session that turns
  each API call function code makes during the tests into the IAM requests it needs (S3 object
  and bucket ARNs with the `s3:prefix` context, versions, batch deletes), attributed to the
  function whose package is on the call stack. tests/iam/aws_calls.json holds them; the pytest
  plugin fails a session whose code made a call that file does not declare.
"""

from __future__ import annotations

import inspect
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from pathlib import Path


# --- evaluation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One IAM authorization request: action, resource ARN and the condition keys it carries."""

    action: str
    resource: str
    context: Mapping[str, str] = field(default_factory=dict)


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM's wildcards: `*` any run of characters (`/` included), `?` exactly one."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.fullmatch(regex, value, flags) is not None


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _string_test(operator: str) -> tuple[bool, Any]:
    """(negated, test(pattern, value)) for a condition operator without IfExists."""
    tests: dict[str, tuple[bool, Any]] = {
        "StringEquals": (False, lambda p, v: p == v),
        "StringNotEquals": (True, lambda p, v: p == v),
        "StringEqualsIgnoreCase": (False, lambda p, v: p.lower() == v.lower()),
        "StringNotEqualsIgnoreCase": (True, lambda p, v: p.lower() == v.lower()),
        "StringLike": (False, wildcard_match),
        "StringNotLike": (True, wildcard_match),
        "ArnEquals": (False, lambda p, v: p == v),
        "ArnNotEquals": (True, lambda p, v: p == v),
        "ArnLike": (False, wildcard_match),
        "ArnNotLike": (True, wildcard_match),
        "Bool": (False, lambda p, v: p.lower() == v.lower()),
    }
    if operator not in tests:
        raise ValueError(f"condition operator {operator!r} is not supported by this evaluator")
    return tests[operator]


def condition_matches(
    condition: Mapping[str, Mapping[str, Any]], context: Mapping[str, str]
) -> bool:
    """Every operator and every key must hold (AND); a key holds when any value matches (OR),
    or, for a negated operator, when none does. A missing key fails a positive operator and
    passes a negated one or any ...IfExists (AWS's documented rules)."""
    for raw_operator, keys in condition.items():
        if ":" in raw_operator:  # ForAnyValue:/ForAllValues: take multi-valued keys
            raise ValueError(f"condition operator {raw_operator!r} is not supported")
        if_exists = raw_operator.endswith("IfExists")
        negated, test = _string_test(raw_operator.removesuffix("IfExists"))
        for key, patterns in keys.items():
            # condition key names are case-insensitive
            actual = next((v for k, v in context.items() if k.lower() == key.lower()), None)
            if actual is None:
                if not (if_exists or negated):
                    return False
                continue
            matched = any(test(p, actual) for p in _as_list(patterns))
            if matched == negated:
                return False
    return True


def _statement_applies(statement: Mapping[str, Any], request: Request) -> bool:
    if "Action" in statement:
        actions = _as_list(statement["Action"])
        if not any(wildcard_match(a, request.action, ignore_case=True) for a in actions):
            return False
    else:
        not_actions = _as_list(statement["NotAction"])
        if any(wildcard_match(a, request.action, ignore_case=True) for a in not_actions):
            return False
    if "Resource" in statement:
        if not any(wildcard_match(r, request.resource) for r in _as_list(statement["Resource"])):
            return False
    elif any(wildcard_match(r, request.resource) for r in _as_list(statement["NotResource"])):
        return False
    return condition_matches(statement.get("Condition") or {}, request.context)


def evaluate(policies: Iterable[Mapping[str, Any]], request: Request) -> bool:
    """True when the identity policies allow the request: no Deny applies and an Allow does."""
    allowed = False
    for policy in policies:
        statements = policy["Statement"]
        for statement in [statements] if isinstance(statements, dict) else statements:
            if not _statement_applies(statement, request):
                continue
            if statement["Effect"] == "Deny":
                return False
            allowed = True
    return allowed


# --- what the code calls ------------------------------------------------------------------------

# Placeholders the recorded resources use; tests/iam/test_function_policies.py fills them from
# the planned state.
BUCKET = "{bucket}"
_OBJECT_READS = {"GetObject", "HeadObject", "GetObjectAttributes"}
_OBJECT_WRITES = {"PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload"}


@dataclass(frozen=True, order=True)
class Call:
    """An IAM request a function's code needs: action, logical resource, condition context."""

    action: str
    resource: str
    context: tuple[tuple[str, str], ...] = ()

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"action": self.action, "resource": self.resource}
        if self.context:
            data["context"] = dict(self.context)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Call:
        context = tuple(sorted((data.get("context") or {}).items()))
        return cls(str(data["action"]), str(data["resource"]), context)


def key_shape(key: str) -> str:
    """An object key as its top-level prefix plus `{key}` (`mocs/u/m/f.pdf` -> `mocs/{key}`):
    grants are per prefix, and one shape per prefix keeps the declared list short."""
    head, sep, _ = key.partition("/")
    return f"{head}/{{key}}" if sep else "{key}"


def s3_calls(operation: str, params: Mapping[str, Any]) -> list[Call]:
    """The IAM requests one S3 operation makes (service authorization reference)."""
    obj = f"{BUCKET}/{key_shape(str(params.get('Key', '')))}"
    versioned = "Version" if params.get("VersionId") else ""
    if operation in _OBJECT_READS:
        return [Call(f"s3:GetObject{versioned}", obj)]
    if operation in _OBJECT_WRITES:
        return [Call("s3:PutObject", obj)]
    if operation == "DeleteObject":
        return [Call(f"s3:DeleteObject{versioned}", obj)]
    if operation == "DeleteObjects":
        return sorted(
            {
                Call(
                    "s3:DeleteObjectVersion" if o.get("VersionId") else "s3:DeleteObject",
                    f"{BUCKET}/{key_shape(str(o['Key']))}",
                )
                for o in params["Delete"]["Objects"]
            }
        )
    if operation in {"ListObjectsV2", "ListObjects"}:
        prefix = str(params.get("Prefix", ""))
        return [Call("s3:ListBucket", BUCKET, (("s3:prefix", key_shape(prefix)),))]
    if operation == "CopyObject":
        source = str(params["CopySource"]).lstrip("/").partition("/")[2].split("?")[0]
        return [Call("s3:PutObject", obj), Call("s3:GetObject", f"{BUCKET}/{key_shape(source)}")]
    return [Call(f"s3:{operation}", obj)]


def other_calls(signing_name: str, operation: str, params: Mapping[str, Any]) -> list[Call]:
    """Non-S3 calls, resources named by the setting that points at them (logical names)."""
    import os

    from lego_common.config import get_settings

    names = {
        "REDIS_AUTH_SECRET_ARN": ("redis_auth_secret_arn", "{cache_auth_secret}"),
        "DB_SECRET_ARN": ("db_secret_arn", "{db_secret}"),
        "APP_DB_SECRET_ARN": (None, "{app_db_secret}"),
        "COGNITO_USER_POOL_ID": ("cognito_user_pool_id", "{user_pool}"),
        "CSV_PARSER_FUNCTION_NAME": ("csv_parser_function_name", "{function:csv_parser}"),
    }
    by_value: dict[str, str] = {}
    for env_name, (attribute, logical) in names.items():
        # what the code read: the cached settings, or the environment they come from
        for value in (
            os.environ.get(env_name),
            getattr(get_settings(), attribute) if attribute else None,
        ):
            if value:
                by_value[value] = logical
    target = params.get("SecretId") or params.get("UserPoolId") or params.get("FunctionName")
    resource = by_value.get(str(target), "{unnamed}") if target else "*"
    action = (
        "lambda:InvokeFunction"
        if (signing_name, operation) == ("lambda", "Invoke")
        else (f"{signing_name}:{operation}")
    )
    return [Call(action, resource)]


def function_of_stack(
    packages: Mapping[str, str], operator_modules: frozenset[str] = frozenset()
) -> tuple[str, bool] | None:
    """(function, by_operator) of the innermost function package on the call stack, or None:
    test code calling AWS itself, or the test stack's own set-up (lego_devstack) run from
    inside a function's fixture. by_operator: an operator's command (a console-script module
    such as lego_upload.sweep) with no Lambda handler on the stack."""
    frame = inspect.currentframe()
    found: str | None = None
    in_script = in_handler = False
    while frame is not None:
        module = str(frame.f_globals.get("__name__", ""))
        root = module.partition(".")[0]
        if root == "lego_devstack" and found is None and frame.f_code.co_filename != __file__:
            return None
        function = packages.get(root)
        if function is not None:
            found = found or function
            in_script = in_script or module in operator_modules
            in_handler = in_handler or module.endswith(".handler")
        frame = frame.f_back
    return (found, in_script and not in_handler) if found else None


def _presigned_post_key() -> str | None:
    """The Key of the botocore generate_presigned_post on the stack, if any."""
    frame = inspect.currentframe()
    while frame is not None:
        if frame.f_code.co_name == "generate_presigned_post" and "Key" in frame.f_locals:
            return str(frame.f_locals["Key"])
        frame = frame.f_back
    return None


@dataclass
class CallRecorder:
    """Collects (function, Call) for every botocore call made by function code."""

    packages: Mapping[str, str]
    operator_modules: frozenset[str] = frozenset()
    lambda_calls: set[tuple[str, Call]] = field(default_factory=set)
    operator_calls: set[tuple[str, Call]] = field(default_factory=set)

    def __call__(self, params: Mapping[str, Any], model: Any, **_: Any) -> None:
        owner = function_of_stack(self.packages, self.operator_modules)
        if owner is None:
            return
        function, by_operator = owner
        service = model.service_model
        presigned_post_key = _presigned_post_key()
        if presigned_post_key is not None:
            # botocore builds a presigned POST on the CreateBucket model; the client's POST is
            # a PutObject signed with this role
            calls = [Call("s3:PutObject", f"{BUCKET}/{key_shape(presigned_post_key)}")]
        elif service.signing_name == "s3":
            calls = s3_calls(model.name, params)
        else:
            calls = other_calls(service.signing_name, model.name, params)
        target = self.operator_calls if by_operator else self.lambda_calls
        target.update((function, call) for call in calls)

    def install(self) -> None:
        """Hook the default boto3 session: every client lego_common.aws creates inherits it."""
        import boto3

        if boto3.DEFAULT_SESSION is None:
            boto3.setup_default_session()
        assert boto3.DEFAULT_SESSION is not None
        boto3.DEFAULT_SESSION.events.register("provide-client-params.*.*", self)


def function_packages(repo_root: Path) -> dict[str, str]:
    """Top-level package -> function name: functions/<fn>/src/<package>, and the migrator."""
    packages = {"lego_schema": "migrate"}
    for src in sorted(repo_root.glob("functions/*/src/*/__init__.py")):
        packages[src.parent.name] = src.parent.parent.parent.name
    return packages


def operator_modules(repo_root: Path) -> frozenset[str]:
    """Modules behind the functions' console scripts ([project.scripts] `module:main`)."""
    import tomllib

    modules: set[str] = set()
    for pyproject in sorted(repo_root.glob("functions/*/pyproject.toml")):
        scripts = tomllib.loads(pyproject.read_text()).get("project", {}).get("scripts", {})
        modules.update(str(target).partition(":")[0] for target in scripts.values())
    return frozenset(modules)


def load_declared(path: Path) -> dict[str, dict[str, set[Call]]]:
    """tests/iam/aws_calls.json: {function: {"lambda": [call...], "operator": [call...]}}."""
    raw = json.loads(path.read_text())
    return {
        function: {kind: {Call.from_json(c) for c in calls} for kind, calls in kinds.items()}
        for function, kinds in raw["functions"].items()
    }


def undeclared(
    recorder: CallRecorder, declared: Mapping[str, Mapping[str, set[Call]]]
) -> list[str]:
    """Recorded calls the declared list lacks, one line each."""
    missing = []
    for kind, recorded in (
        ("lambda", recorder.lambda_calls),
        ("operator", recorder.operator_calls),
    ):
        for function, call in sorted(recorded):
            if call not in declared.get(function, {}).get(kind, set()):
                missing.append(f"{function} ({kind}): {json.dumps(call.as_json())}")
    return missing


def merged_json(recorder: CallRecorder, declared: Mapping[str, Mapping[str, set[Call]]]) -> str:
    """The declared list with the recorded calls added (`LEGO_RECORD_AWS_CALLS=1 pytest ...`)."""
    functions: dict[str, dict[str, set[Call]]] = {
        fn: {kind: set(calls) for kind, calls in kinds.items()} for fn, kinds in declared.items()
    }
    for kind, recorded in (
        ("lambda", recorder.lambda_calls),
        ("operator", recorder.operator_calls),
    ):
        for function, call in recorded:
            functions.setdefault(function, {}).setdefault(kind, set()).add(call)
    document = {
        "about": (
            "AWS calls each function's code makes, recorded by lego_devstack.iam during the "
            "tests (LEGO_RECORD_AWS_CALLS=1 adds new ones); tests/iam checks the `lambda` calls "
            "against the planned role policies. `operator`: CLI commands run with an "
            "operator's credentials, not the function's role."
        ),
        "functions": {
            fn: {
                kind: [c.as_json() for c in sorted(calls)] for kind, calls in sorted(kinds.items())
            }
            for fn, kinds in sorted(functions.items())
        },
    }
    return json.dumps(document, indent=2) + "\n"
