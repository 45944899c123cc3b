"""lego_devstack.iam.evaluate: the IAM rules the function-policy check relies on, each able to
fail on its own (AWS "Policy evaluation logic" and "Condition operators")."""

from __future__ import annotations

from typing import Any

import pytest

from lego_devstack.iam import Request, evaluate, s3_calls, wildcard_match

BUCKET = "arn:aws:s3:::lego"


def _policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


LIST_MOCS = {
    "Effect": "Allow",
    "Action": ["s3:ListBucket"],
    "Resource": [BUCKET],
    "Condition": {"StringLike": {"s3:prefix": ["mocs/*"]}},
}


def test_no_statement_means_implicit_deny() -> None:
    assert not evaluate([_policy()], Request("s3:GetObject", f"{BUCKET}/a"))


def test_allow_needs_action_and_resource() -> None:
    policy = _policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{BUCKET}/mocs/*"})
    assert evaluate([policy], Request("s3:GetObject", f"{BUCKET}/mocs/u/m/f.pdf"))
    assert not evaluate([policy], Request("s3:GetObject", f"{BUCKET}/images/u/f.webp"))
    assert not evaluate([policy], Request("s3:PutObject", f"{BUCKET}/mocs/u/m/f.pdf"))
    # the bucket itself is not an object under mocs/
    assert not evaluate([policy], Request("s3:GetObject", BUCKET))


def test_actions_ignore_case_resources_do_not() -> None:
    policy = _policy({"Effect": "Allow", "Action": "S3:getobject", "Resource": f"{BUCKET}/mocs/*"})
    assert evaluate([policy], Request("s3:GetObject", f"{BUCKET}/mocs/x"))
    assert not evaluate([policy], Request("s3:GetObject", f"{BUCKET}/MOCS/x"))


def test_explicit_deny_beats_any_allow() -> None:
    allow = {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
    deny = {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": f"{BUCKET}/mocs/*"}
    assert not evaluate(
        [_policy(allow), _policy(deny)], Request("s3:DeleteObject", f"{BUCKET}/mocs/a")
    )
    assert evaluate(
        [_policy(allow), _policy(deny)], Request("s3:DeleteObject", f"{BUCKET}/images/a")
    )


def test_not_action_and_not_resource() -> None:
    policy = _policy(
        {"Effect": "Allow", "NotAction": "s3:Delete*", "NotResource": f"{BUCKET}/secret/*"}
    )
    assert evaluate([policy], Request("s3:GetObject", f"{BUCKET}/mocs/a"))
    assert not evaluate([policy], Request("s3:DeleteObject", f"{BUCKET}/mocs/a"))
    assert not evaluate([policy], Request("s3:GetObject", f"{BUCKET}/secret/a"))


def test_string_like_prefix_condition_scopes_list_bucket() -> None:
    assert evaluate(
        [_policy(LIST_MOCS)], Request("s3:ListBucket", BUCKET, {"s3:prefix": "mocs/u/m/"})
    )
    assert not evaluate(
        [_policy(LIST_MOCS)], Request("s3:ListBucket", BUCKET, {"s3:prefix": "images/"})
    )
    # a listing without a prefix lists the whole bucket: the key is absent, StringLike fails
    assert not evaluate([_policy(LIST_MOCS)], Request("s3:ListBucket", BUCKET))


def test_an_unmet_allow_condition_is_not_a_deny() -> None:
    """moto's evaluator gets this wrong (it returns DENIED), which is why it is not used."""
    plain = {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": BUCKET}
    assert evaluate(
        [_policy(LIST_MOCS, plain)], Request("s3:ListBucket", BUCKET, {"s3:prefix": "x/"})
    )


def test_every_key_and_every_operator_must_hold() -> None:
    policy = _policy(
        {
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": "*",
            "Condition": {
                "StringEquals": {"kms:ViaService": ["s3.us-east-1.amazonaws.com", "lambda.x"]},
                "StringNotLike": {"aws:PrincipalTag/team": "ops*"},
            },
        }
    )
    via_s3 = {"kms:ViaService": "s3.us-east-1.amazonaws.com"}
    assert evaluate([policy], Request("kms:Decrypt", "k", via_s3))
    assert not evaluate([policy], Request("kms:Decrypt", "k", {"kms:ViaService": "sqs.x"}))
    assert not evaluate(
        [policy], Request("kms:Decrypt", "k", {**via_s3, "aws:PrincipalTag/team": "ops1"})
    )
    # keys are case-insensitive
    assert evaluate(
        [policy], Request("kms:Decrypt", "k", {"KMS:viaservice": via_s3["kms:ViaService"]})
    )


def test_if_exists_passes_when_the_key_is_missing() -> None:
    policy = _policy(
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "*",
            "Condition": {"StringEqualsIfExists": {"s3:ExistingObjectTag/kind": "public"}},
        }
    )
    assert evaluate([policy], Request("s3:GetObject", "o"))
    assert not evaluate([policy], Request("s3:GetObject", "o", {"s3:ExistingObjectTag/kind": "x"}))


def test_unknown_operators_raise_instead_of_guessing() -> None:
    policy = _policy(
        {
            "Effect": "Allow",
            "Action": "*",
            "Resource": "*",
            "Condition": {"NumericLessThan": {"a": "1"}},
        }
    )
    with pytest.raises(ValueError, match="NumericLessThan"):
        evaluate([policy], Request("s3:GetObject", "o", {"a": "0"}))


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("mocs/*", "mocs/a/b/c.pdf", True),
        ("mocs/*", "mocsx/a", False),
        ("a?c", "abc", True),
        ("a?c", "ac", False),
        ("a.c", "abc", False),  # regex characters are literals
        ("*", "", True),
    ],
)
def test_wildcards(pattern: str, value: str, expected: bool) -> None:
    assert wildcard_match(pattern, value) is expected


def test_s3_operations_become_the_iam_requests_aws_checks() -> None:
    assert [c.action for c in s3_calls("HeadObject", {"Key": "mocs/u/m/f.pdf"})] == ["s3:GetObject"]
    versioned = s3_calls("GetObject", {"Key": "mocs/u/f", "VersionId": "v1"})
    assert [c.action for c in versioned] == ["s3:GetObjectVersion"]
    listing = s3_calls("ListObjectsV2", {"Bucket": "b", "Prefix": "mocs/u/m/"})
    assert [(c.action, c.resource, dict(c.context)) for c in listing] == [
        ("s3:ListBucket", "{bucket}", {"s3:prefix": "mocs/{key}"})
    ]
    batch = s3_calls(
        "DeleteObjects",
        {"Delete": {"Objects": [{"Key": "mocs/a/b"}, {"Key": "mocs/c/d", "VersionId": "v"}]}},
    )
    assert {c.action for c in batch} == {"s3:DeleteObject", "s3:DeleteObjectVersion"}
