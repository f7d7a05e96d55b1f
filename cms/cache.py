"""The one Cache-Control policy of personal answers.

A page with a learner's progress, a secret (pictures, a PIN, a card) or a
trainer's data must not be kept by a shared computer's browser (Back after
"J'ai fini" would show it) nor by a proxy. Every such answer goes through
`private_no_store`, or through the session middleware, which applies it to every
answer to a signed-in person. Django's never-cache headers merge with what a view
already set, so applying it twice writes each directive once.
"""

from django.utils.cache import add_never_cache_headers


def private_no_store(response):
    """`Cache-Control: max-age=0, no-cache, no-store, must-revalidate, private`."""
    add_never_cache_headers(response)
    return response
