"""The one error of the document rules."""


class DocumentRuleError(ValueError):
    """A change the rules refuse (of any kind of document); the message is shown to the user."""
