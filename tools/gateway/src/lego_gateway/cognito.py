"""The local Cognito user pool (in moto) and its tokens: real RS256 JWTs signed with the key
moto publishes at {moto}/{pool_id}/.well-known/jwks.json."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

POOL_NAME = "lego-local"
CLIENT_NAME = "lego-local-web"
# Throwaway users of a throwaway in-memory pool; never a deployed credential.
LOCAL_PASSWORD = "Local-Only-Passw0rd!"


@dataclass(frozen=True, slots=True)
class UserPool:
    pool_id: str
    client_id: str
    region: str

    @property
    def issuer(self) -> str:
        """What moto (like Cognito) writes in `iss`: the AWS URL, whatever the endpoint."""
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.pool_id}"

    def jwks_url(self, aws_endpoint_url: str) -> str:
        return f"{aws_endpoint_url.rstrip('/')}/{self.pool_id}/.well-known/jwks.json"


def _client(aws_endpoint_url: str, region: str) -> Any:
    import boto3

    return boto3.client(
        "cognito-idp",
        endpoint_url=aws_endpoint_url,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def create_pool(aws_endpoint_url: str, region: str = "us-east-1") -> UserPool:
    """A user pool with email as an attribute and an app client allowing admin password auth."""
    idp = _client(aws_endpoint_url, region)
    pool = idp.create_user_pool(
        PoolName=POOL_NAME,
        AutoVerifiedAttributes=["email"],
        Schema=[{"Name": "email", "AttributeDataType": "String", "Required": False}],
    )["UserPool"]
    client = idp.create_user_pool_client(
        UserPoolId=pool["Id"],
        ClientName=CLIENT_NAME,
        ExplicitAuthFlows=[
            "ALLOW_ADMIN_USER_PASSWORD_AUTH",
            "ALLOW_USER_PASSWORD_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH",
        ],
    )["UserPoolClient"]
    return UserPool(pool["Id"], client["ClientId"], region)


def token_for(
    pool: UserPool, aws_endpoint_url: str, username: str, token_use: str = "access"
) -> str:
    """A fresh token for username, creating the user (email <username>@example.com) if absent."""
    idp = _client(aws_endpoint_url, pool.region)
    try:
        idp.admin_get_user(UserPoolId=pool.pool_id, Username=username)
    except idp.exceptions.UserNotFoundException:
        idp.admin_create_user(
            UserPoolId=pool.pool_id,
            Username=username,
            UserAttributes=[
                {"Name": "email", "Value": f"{username}@example.com"},
                {"Name": "email_verified", "Value": "true"},
                {"Name": "name", "Value": username},
            ],
            MessageAction="SUPPRESS",
        )
        idp.admin_set_user_password(
            UserPoolId=pool.pool_id, Username=username, Password=LOCAL_PASSWORD, Permanent=True
        )
    result = idp.admin_initiate_auth(
        UserPoolId=pool.pool_id,
        ClientId=pool.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": LOCAL_PASSWORD},
    )["AuthenticationResult"]
    token: str = result["IdToken" if token_use == "id" else "AccessToken"]
    return token
