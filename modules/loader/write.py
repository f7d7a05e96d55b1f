"""Bring the pages in line with parsed content, in one transaction."""

from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, Site
from wagtail.utils.file import hash_filelike

from cms.uploads import UnreadableSVG, is_svg, sanitize_svg

from ..models import (
    CatalogPage,
    Competence,
    LessonPage,
    ModuleIndexPage,
    ModulePage,
    ParcoursModule,
    ParcoursPage,
    Scenario,
)
from .parse import (
    FORMAT_VERSION,
    IMAGE_EXTENSIONS,
    MODULE_INDEX_KEY,
    MODULE_INDEX_SLUG,
    Content,
    ContentError,
    ContentErrors,
    Media,
    ScenarioRef,
    Source,
)


@dataclass
class Change:
    action: str  # "create", "update", "publish", "move", "reorder", "unpublish"
    model: type
    key: str
    title: str

    def __str__(self):
        return f"{self.action:<9} {self.model._meta.verbose_name} {self.key} ({self.title})"


@dataclass
class Report:
    changes: list = field(default_factory=list)
    unchanged: int = 0
    orphans: list = field(default_factory=list)  # loaded pages whose file is gone
    images_imported: int = 0
    documents_imported: int = 0

    def count(self, action):
        return sum(1 for change in self.changes if change.action == action)

    def summary(self):
        return (
            f"{self.count('create')} created, {self.count('update')} updated, "
            f"{self.count('publish')} republished, {self.count('move')} moved, "
            f"{self.count('reorder')} reordered, {self.count('unpublish')} unpublished, "
            f"{self.unchanged} unchanged; "
            f"{self.images_imported} images and {self.documents_imported} documents imported"
        )


PAGE_MODELS = (CatalogPage, ParcoursPage, ModuleIndexPage, ModulePage, LessonPage)


class Loader:
    """Compares parsed content with the pages and writes the difference."""

    def __init__(self, content: Content, *, force=False, prune=False, dry_run=False):
        self.content = content
        self.force = force
        self.prune = prune
        self.dry_run = dry_run
        self.report = Report()
        self.existing = {
            page.source_key: page
            for model in PAGE_MODELS
            for page in model.objects.filter(source_key__isnull=False)
        }
        self.image_cache = {}
        self.document_cache = {}

    def run(self) -> Report:
        with transaction.atomic():
            self.scenarios = {
                source.key: self.sync_scenario(source) for source in self.content.scenarios
            }
            catalog = self.sync_catalog()
            index = self.sync_module_index(catalog)
            modules = {}
            for source in self.content.modules:
                module = self.sync_page(ModulePage, source, index, self.module_fields(source))
                modules[source.key] = module
                for lesson_source in source.lessons:
                    self.sync_page(
                        LessonPage, lesson_source, module, self.lesson_fields(lesson_source)
                    )
                self.sync_order(module, [lesson.key for lesson in source.lessons])
            for source in self.content.parcours:
                self.sync_page(ParcoursPage, source, catalog, self.parcours_fields(source, modules))
            self.sync_order(catalog, [p.key for p in self.content.parcours] + [MODULE_INDEX_KEY])
            self.sync_order(index, [module.key for module in self.content.modules])
            self.find_orphans()
            if self.dry_run:
                transaction.set_rollback(True)
        return self.report

    # Pages

    def sync_scenario(self, source):
        """Scenarios are snippets matched by key; skipped when their file is unchanged."""
        scenario = Scenario.objects.filter(key=source.key).first()
        if scenario is not None and not self.force and scenario.source_hash == source.digest:
            return scenario
        action = "create" if scenario is None else "update"
        scenario = scenario or Scenario(key=source.key)
        scenario.kind = source.kind
        scenario.title = source.title
        scenario.intro = source.intro
        scenario.items = source.items
        scenario.goals = source.goals
        scenario.source_hash = source.digest
        try:
            scenario.full_clean()
        except ValidationError as error:
            raise ContentErrors(
                [ContentError(source.rel, source.key_line, self.validation_message(error))]
            ) from None
        scenario.save()
        self.record(action, Scenario, source)
        return scenario

    def sync_catalog(self):
        source = self.content.catalog
        root = Page.get_first_root_node()
        catalog = self.sync_page(CatalogPage, source, root, {"intro": source.intro})
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            Site.objects.create(
                hostname="localhost", port=80, root_page=catalog, is_default_site=True
            )
        elif site.root_page_id != catalog.pk:
            site.root_page = catalog
            site.save()
        return catalog

    def sync_module_index(self, catalog):
        source = Source(
            path=Path(),
            rel="",
            key=MODULE_INDEX_KEY,
            title="Tous les modules",
            slug=MODULE_INDEX_SLUG,
            digest=FORMAT_VERSION,
        )
        return self.sync_page(ModuleIndexPage, source, catalog, {})

    def sync_page(self, model, source, parent, fields):
        """Create, update, republish or move the page for `source`; return it."""
        page = self.existing.get(source.key)
        if page is not None and not isinstance(page, model):
            raise ContentErrors(
                [
                    ContentError(
                        source.rel,
                        source.key_line,
                        f"key '{source.key}' already belongs to a {type(page).__name__}",
                    )
                ]
            )
        if page is None:
            page = model(title=source.title, slug=source.slug, source_key=source.key)
            self.set_fields(page, source, fields)
            self.save_new(page, parent, source)
            self.record("create", model, source)
            return page
        changed = self.force or page.source_hash != source.digest
        if changed:
            page = page.get_latest_revision_as_object()
            page.title, page.slug = source.title, source.slug
            self.set_fields(page, source, fields)
            self.publish(page, source)
            self.record("update", model, source)
        elif not page.live:
            self.publish(page.get_latest_revision_as_object(), source)
            self.record("publish", model, source)
        if page.get_parent().pk != parent.pk:
            page.move(parent, pos="last-child")
            page = type(page).objects.get(pk=page.pk)
            self.record("move", model, source)
        if not changed and page.live:
            self.report.unchanged += 1
        return page

    def set_fields(self, page, source, fields):
        page.source_hash = source.digest
        for name, value in fields.items():
            if name == "competences":
                page.competences = value
            elif name == "parcours_modules":
                page.parcours_modules = value
            else:
                setattr(page, name, value)

    def save_new(self, page, parent, source):
        try:
            parent.add_child(instance=page)
        except ValidationError as error:
            raise ContentErrors(
                [ContentError(source.rel, source.slug_line, self.validation_message(error))]
            ) from None
        page.save_revision().publish()

    def publish(self, page, source):
        try:
            page.full_clean()
        except ValidationError as error:
            raise ContentErrors(
                [ContentError(source.rel, source.slug_line, self.validation_message(error))]
            ) from None
        page.save_revision().publish()

    @staticmethod
    def validation_message(error):
        messages = getattr(error, "message_dict", {"": error.messages})
        return "; ".join(
            f"{name}: {' '.join(text)}" if name else " ".join(text)
            for name, text in messages.items()
        )

    def sync_order(self, parent, keys):
        """Put the loaded children of `parent` in the order of the files."""
        parent = Page.objects.get(pk=parent.pk)
        children = [c.specific for c in parent.get_children().order_by("path")]
        ours = [c for c in children if getattr(c, "source_key", None) in keys]
        if [c.source_key for c in ours] == keys:
            return
        by_key = {c.source_key: c for c in ours}
        self.report.changes.append(
            Change("reorder", type(parent.specific), parent.specific.source_key, parent.title)
        )
        for key in keys:
            # Reload both: treebeard works on stale paths otherwise.
            parent = Page.objects.get(pk=parent.pk)
            Page.objects.get(pk=by_key[key].pk).move(parent, pos="last-child")

    def find_orphans(self):
        keys = self.content.keys
        for key, page in self.existing.items():
            if key in keys or not page.live:
                continue
            if self.prune:
                page.unpublish()
                self.report.changes.append(Change("unpublish", type(page), key, page.title))
            else:
                self.report.orphans.append(page)

    def record(self, action, model, source):
        self.report.changes.append(Change(action, model, source.key, source.title))

    # Field values

    def parcours_fields(self, source, modules):
        links = [
            ParcoursModule(module=modules[key], sort_order=index)
            for index, key in enumerate(source.module_keys)
        ]
        return {
            "kind": source.kind,
            "audience": source.audience,
            "target_hours": source.target_hours,
            "intro": source.intro,
            "parcours_modules": links,
        }

    def module_fields(self, source):
        return {
            "summary": source.summary,
            "description": source.description,
            "objectives": "\n".join(source.objectives),
            "competences": list(Competence.objects.filter(code__in=source.competences)),
        }

    def lesson_fields(self, source):
        return {
            "estimated_minutes": source.minutes,
            "trainer_tips": source.trainer_tips,
            "steps": self.resolve_media(source.steps),
        }

    def resolve_media(self, value):
        """Replace every Media in the raw stream data by the id of its image or document."""
        if isinstance(value, ScenarioRef):
            return self.scenarios[value.key].pk
        if isinstance(value, Media):
            if value.path.suffix.lower() in IMAGE_EXTENSIONS:
                return self.import_image(value.path)
            return self.import_document(value.path)
        if isinstance(value, dict):
            return {key: self.resolve_media(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.resolve_media(item) for item in value]
        return value

    def import_image(self, path):
        return self.import_file(path, get_image_model(), self.image_cache, "images_imported")

    def import_document(self, path):
        return self.import_file(
            path, get_document_model(), self.document_cache, "documents_imported"
        )

    def import_file(self, path, model, cache, counter):
        """Import a media file once: an identical file (same hash) is reused."""
        if path in cache:
            return cache[path]
        with path.open("rb") as handle:
            digest = hash_filelike(handle)
            existing = model.objects.filter(file_hash=digest).first()
            if existing is None:
                handle.seek(0)
                content = self.stored_content(path, handle)  # a dry run checks it too
            if existing is None and self.dry_run:
                # Storage is not transactional: a dry run must not leave files behind.
                setattr(self.report, counter, getattr(self.report, counter) + 1)
                cache[path] = None
                return None
            if existing is None:
                # file_hash stays the source file's: the next run finds the image again.
                existing = model(title=path.stem.replace("-", " "), file_hash=digest)
                existing.file_size = content.size
                existing.file.save(path.name, content, save=False)
                existing.save()
                setattr(self.report, counter, getattr(self.report, counter) + 1)
        cache[path] = existing.pk
        return existing.pk

    @staticmethod
    def stored_content(path, handle):
        """What goes to storage: an SVG as the sanitizer rewrites it (cms/uploads.py)."""
        if not is_svg(path.name):
            return File(handle)
        try:
            return ContentFile(sanitize_svg(handle.read()), name=path.name)
        except UnreadableSVG:
            raise ContentErrors(
                [ContentError(str(path), 0, "this SVG cannot be read: fix or replace it")]
            ) from None
