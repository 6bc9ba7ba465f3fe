"""The error every service raises when it refuses a change."""


class ServiceError(ValueError):
    """A refused change; the message is a sentence for the person who asked for it."""
