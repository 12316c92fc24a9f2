"""Email as a core service: the kinds registry, the outbox and one way to build a message.

Each app registers the kinds of email it sends (core/emails/kinds.py) from its
AppConfig.ready(); every email is a row of core.models.Email, queued in the transaction that
causes it and sent exactly once by a worker (core/emails/outbox.py).
"""
