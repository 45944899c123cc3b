"""The one list of API error codes: each AppError subclass carries the seed's code and status."""

from __future__ import annotations

from typing import Any, ClassVar


class AppError(Exception):
    """An error the API answers with its own code, status and message (seed "Error Codes")."""

    code: ClassVar[str] = "INTERNAL_SERVER_ERROR"
    status: ClassVar[int] = 500

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


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


class ConfigurationError(AppError):
    """A required setting is missing or malformed; raised once per container."""

    code = "SERVICE_UNAVAILABLE"
    status = 503
