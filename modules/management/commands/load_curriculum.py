from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from modules.loader import ContentErrors, load_curriculum


class Command(BaseCommand):
    help = "Load the curricula from content/ into Wagtail pages (idempotent, one transaction)."

    def add_arguments(self, parser):
        parser.add_argument("--source", type=Path, default=settings.PASAPAS_CONTENT_DIR)
        parser.add_argument("--dry-run", action="store_true", help="Show what would change.")
        parser.add_argument(
            "--force", action="store_true", help="Rewrite every page, even unchanged ones."
        )
        parser.add_argument(
            "--prune", action="store_true", help="Unpublish loaded pages whose file is gone."
        )

    def handle(self, *args, source, dry_run, force, prune, **options):
        try:
            report = load_curriculum(source, force=force, prune=prune, dry_run=dry_run)
        except ContentErrors as errors:
            for error in errors.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len(errors.errors)} error(s) in {source}; nothing was changed."
            ) from None
        for change in report.changes:
            self.stdout.write(str(change))
        for page in report.orphans:
            self.stdout.write(
                f"no file   {page.source_key} ({page.title}): use --prune to unpublish it"
            )
        prefix = "Dry run, nothing written: " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(prefix + report.summary()))
