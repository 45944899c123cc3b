from __future__ import annotations

from lego_build.resolve import plan

EXPORT = """\
-e ./functions/mocs
-e ./packages/common
    # via lego-mocs
boto3==1.44.8
    # via lego-common
botocore==1.44.8
    # via
    #   boto3
    #   s3transfer
jmespath==1.1.0
    # via
    #   boto3
    #   botocore
opensearch-py==2.8.0
    # via lego-common
python-dateutil==2.9.0.post0
    # via
    #   botocore
    #   opensearch-py
s3transfer==0.19.3
    # via boto3
six==1.17.0
    # via python-dateutil
async-timeout==5.0.1 ; python_full_version < '3.11.3'
    # via redis
redis==8.1.0
    # via lego-common
"""

AWS_ONLY_EXPORT = """\
-e ./functions/profile
-e ./packages/common
    # via lego-profile
boto3==1.44.8
    # via lego-common
botocore==1.44.8
    # via boto3
python-dateutil==2.9.0.post0
    # via botocore
six==1.17.0
    # via python-dateutil
"""


def test_plan_leaves_boto3_family_to_the_runtime() -> None:
    result = plan(EXPORT)

    assert result.workspace_dirs == ("./functions/mocs", "./packages/common")
    assert [r.name for r in result.bundled] == [
        "async-timeout",
        "opensearch-py",
        "python-dateutil",
        "redis",
        "six",
    ]
    assert [r.name for r in result.runtime_provided] == [
        "boto3",
        "botocore",
        "jmespath",
        "s3transfer",
    ]


def test_plan_keeps_markers_for_uv_to_evaluate() -> None:
    assert (
        "async-timeout==5.0.1 ; python_full_version < '3.11.3'\n" in plan(EXPORT).requirements_txt()
    )


def test_plan_drops_what_only_botocore_needs() -> None:
    result = plan(AWS_ONLY_EXPORT)

    assert result.bundled == ()
    assert [r.name for r in result.runtime_provided] == [
        "boto3",
        "botocore",
        "python-dateutil",
        "six",
    ]


def test_plan_bundle_runtime_sdk_bundles_everything() -> None:
    result = plan(EXPORT, bundle_runtime_sdk=True)

    assert result.runtime_provided == ()
    assert "botocore" in {r.name for r in result.bundled}
