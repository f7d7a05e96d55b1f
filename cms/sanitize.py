"""The one place that cleans HTML. Everything written by people goes through here."""

import html

import bleach

# The rich text that lessons and notes may hold: the same features as the editor.
RICH_TEXT_TAGS = frozenset({"p", "br", "strong", "b", "em", "i", "ul", "ol", "li", "a"})
RICH_TEXT_ATTRIBUTES = {"a": ["href"]}
RICH_TEXT_PROTOCOLS = frozenset({"http", "https", "mailto", "tel"})


def clean_html(html: str) -> str:
    """Keep only the allowed tags and safe links; strip everything else."""
    return bleach.clean(
        html,
        tags=RICH_TEXT_TAGS,
        attributes=RICH_TEXT_ATTRIBUTES,
        protocols=RICH_TEXT_PROTOCOLS,
        strip=True,
        strip_comments=True,
    )


def clean_text(text: str, *, max_length: int = 2000) -> str:
    """Plain text typed by a person: no tags, no control characters, capped.

    The result is text, not HTML: templates escape it when they show it.
    """
    stripped = bleach.clean(str(text), tags=set(), strip=True, strip_comments=True)
    plain = html.unescape(stripped)
    plain = "".join(ch for ch in plain if ch in "\n\t" or ch.isprintable())
    return plain.strip()[:max_length]
