"""The one list of API error codes: each AppError subclass carries the seed's code and status."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Self


class AppError(Exception):
    """An error the API answers with its own code, status and message (seed "Error Codes")."""

    code: ClassVar[str] = "INTERNAL_SERVER_ERROR"
    status: ClassVar[int] = 500
    # False: message and details are for the log only; the client gets public_message.
    expose: ClassVar[bool] = True
    public_message: ClassVar[str] = "An unexpected error occurred"

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    @classmethod
    def for_field(cls, field: str, problem: str, message: str | None = None) -> Self:
        """The error about one input field, its details naming the field (see field_details)."""
        return cls(message or problem, details=field_details({field: [problem]}))


def field_details(
    fields: Mapping[str, Sequence[str]] | None = None, form: Sequence[str] = ()
) -> dict[str, Any]:
    """Zod-flatten-shaped details, as the Express API sent: {formErrors, fieldErrors}."""
    return {
        "formErrors": list(form),
        "fieldErrors": {name: list(problems) for name, problems in (fields or {}).items()},
    }


class ValidationError(AppError):
    code = "VALIDATION_ERROR"
    status = 400


class UnauthorizedError(AppError):
    code = "UNAUTHORIZED"
    status = 401


class ForbiddenError(AppError):
    code = "FORBIDDEN"
    status = 403


class NotFoundError(AppError):
    code = "NOT_FOUND"
    status = 404


class ConflictError(AppError):
    code = "CONFLICT"
    status = 409


class PayloadTooLargeError(AppError):
    code = "PAYLOAD_TOO_LARGE"
    status = 413


class ServiceUnavailableError(AppError):
    code = "SERVICE_UNAVAILABLE"
    status = 503


class GatewayTimeoutError(AppError):
    """The request ran out of time (lego_common.deadline): answered before Lambda's hard stop."""

    code = "GATEWAY_TIMEOUT"
    status = 504


class ConfigurationError(AppError):
    """A required setting is missing or malformed; raised once per container. Its message
    names environment variables and their raw values: logged, never sent to the client, who
    gets the generic 503."""

    code = "SERVICE_UNAVAILABLE"
    status = 503
    expose = False
    public_message = "Service temporarily unavailable"
