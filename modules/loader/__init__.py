"""Load the curricula from `content/` into Wagtail pages.

`content/` holds reviewable text files (Markdown with YAML front matter, media
beside them)::

    catalog.md                         the site root
    parcours/<name>.md                 a parcours and its ordered module keys
    modules/<folder>/module.md         a module
    modules/<folder>/<NN-name>.md      its lessons, in file-name order
    modules/<folder>/media/...         images, audio, video

Two phases: `parse_content()` reads every file and collects *all* errors with
file and line; `Loader.run()` compares with the database and writes, in one
transaction (rolled back at the end of a dry run). Pages are matched by their
stable `key`, never by title or slug, and skipped when their files have not
changed since the last load.
The loader never deletes a page; `prune` unpublishes pages whose file is gone.
"""

from .parse import ContentError, ContentErrors, block_id, parse_content
from .write import Loader, Report


def load_curriculum(root, *, force=False, prune=False, dry_run=False) -> Report:
    """Parse `root` and bring the pages in line with it. Raises ContentErrors."""
    content = parse_content(root)
    return Loader(content, force=force, prune=prune, dry_run=dry_run).run()


__all__ = ["ContentError", "ContentErrors", "Report", "block_id", "load_curriculum"]
