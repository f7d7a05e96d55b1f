"""The curriculum: catalogue > parcours > (module references), module index > module > lesson."""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.params import int_param

from .blocks import StepBlock
from .blocks.content import TEXT_FEATURES
from .simulators import KINDS, goal_blocks, item_blocks


class ContentSourceMixin(models.Model):
    """A stable identity for pages, so progress survives reloads, moves and edits.

    Pages from `content/` carry the key written in their file. Pages created in
    the admin have none and fall back on Wagtail's `translation_key`, which is
    just as stable.
    """

    source_key = models.CharField(
        _("clé stable"),
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Fixée par les fichiers de contenu. Ne la changez pas."),
    )
    # Hash of the source file(s) last loaded, to skip unchanged files and to keep
    # an editor's changes until the file itself changes.
    source_hash = models.CharField(max_length=64, blank=True, editable=False)

    exclude_fields_in_copy = ["source_key", "source_hash"]

    class Meta:
        abstract = True

    @property
    def stable_key(self):
        return self.source_key or str(self.translation_key)


class Competence(models.Model):
    """A competence of the French CRCN framework (Cadre de référence des compétences numériques)."""

    class Domain(models.IntegerChoices):
        INFORMATION = 1, _("Information et données")
        COMMUNICATION = 2, _("Communication et collaboration")
        CREATION = 3, _("Création de contenus")
        PROTECTION = 4, _("Protection et sécurité")
        ENVIRONMENT = 5, _("Environnement numérique")

    code = models.CharField(_("code"), max_length=10, unique=True)
    domain = models.PositiveSmallIntegerField(_("domaine"), choices=Domain.choices)
    name = models.CharField(_("nom"), max_length=200)

    panels = [FieldPanel("code"), FieldPanel("domain"), FieldPanel("name")]

    class Meta:
        ordering = ["code"]
        verbose_name = _("compétence")
        verbose_name_plural = _("compétences")

    def __str__(self):
        return f"{self.code} {self.name}"


class CatalogPage(ContentSourceMixin, Page):
    intro = RichTextField(_("introduction"), features=TEXT_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    promote_panels = [*Page.promote_panels, FieldPanel("source_key", read_only=True)]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["modules.ParcoursPage", "modules.ModuleIndexPage"]

    class Meta:
        verbose_name = _("catalogue")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        parcours = list(ParcoursPage.objects.child_of(self).live().order_by("path"))
        links = list(
            ParcoursModule.objects.filter(page__in=parcours, module__live=True).select_related(
                "module"
            )
        )
        modules = {link.module_id: link.module for link in links}
        ModulePage.annotate_lessons(list(modules.values()))
        by_page = defaultdict(list)
        for link in links:
            by_page[link.page_id].append(modules[link.module_id])
        for page in parcours:
            # What exists today beside what the parcours promises: the minutes of its
            # live lessons, and how many of its modules are still being written.
            page.module_count = len(by_page[page.pk])
            page.available_minutes = sum(m.estimated_minutes for m in by_page[page.pk])
            page.modules_to_come = sum(1 for m in by_page[page.pk] if not m.lessons)
        context["parcours_list"] = parcours
        return context


class ParcoursPage(ContentSourceMixin, Page):
    class Kind(models.TextChoices):
        INITIATION = "initiation", _("Initiation")
        EMPLOI = "emploi", _("Emploi")
        PARENTALITE = "parentalite", _("E-parentalité")
        OTHER = "autre", _("Autre")

    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    audience = models.CharField(_("public"), max_length=250, blank=True)
    target_hours = models.PositiveSmallIntegerField(_("durée prévue (heures)"), default=0)
    intro = RichTextField(_("introduction"), features=TEXT_FEATURES, blank=True)

    search_fields = [*Page.search_fields, index.SearchField("intro")]
    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldPanel("kind"), FieldPanel("audience"), FieldPanel("target_hours")],
            heading=_("Pour qui, combien de temps"),
        ),
        FieldPanel("intro"),
        InlinePanel("parcours_modules", label=_("Modules, dans l'ordre")),
    ]
    promote_panels = [*Page.promote_panels, FieldPanel("source_key", read_only=True)]
    parent_page_types = ["modules.CatalogPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("parcours")
        verbose_name_plural = _("parcours")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        modules = [
            link.module
            for link in self.parcours_modules.select_related("module").order_by("sort_order")
            if link.module.live
        ]
        ModulePage.annotate_lessons(modules)
        context["modules"] = modules
        context["total_minutes"] = sum(module.estimated_minutes for module in modules)
        context["modules_to_come"] = sum(1 for module in modules if not module.lessons)
        # "Commencer" leads to the first lesson; for someone with progress, the
        # page is served with the first lesson they haven't finished (learning/).
        context["start_lesson"] = next((each for m in modules for each in m.lessons), None)
        context["started"] = False
        return context


class ParcoursModule(Orderable):
    """A module's place in a parcours. One module can serve several parcours."""

    page = ParentalKey(ParcoursPage, on_delete=models.CASCADE, related_name="parcours_modules")
    module = models.ForeignKey(
        "modules.ModulePage", on_delete=models.CASCADE, related_name="+", verbose_name=_("module")
    )

    panels = [FieldPanel("module")]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["page", "module"], name="parcours_module_once")
        ]


class ModuleIndexPage(ContentSourceMixin, Page):
    intro = RichTextField(_("introduction"), features=TEXT_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["modules.CatalogPage"]
    subpage_types = ["modules.ModulePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("liste des modules")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        modules = list(ModulePage.objects.child_of(self).live().order_by("path"))
        ModulePage.annotate_lessons(modules)
        context["modules"] = modules
        return context


class ModulePage(ContentSourceMixin, Page):
    summary = models.TextField(_("résumé"), max_length=500)
    description = RichTextField(_("présentation"), features=TEXT_FEATURES, blank=True)
    objectives = models.TextField(_("objectifs"), blank=True, help_text=_("Un objectif par ligne."))
    competences = ParentalManyToManyField(
        Competence, blank=True, related_name="modules", verbose_name=_("compétences")
    )

    search_fields = [*Page.search_fields, index.SearchField("summary")]
    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("description"),
        FieldPanel("objectives"),
        FieldPanel("competences"),
    ]
    promote_panels = [*Page.promote_panels, FieldPanel("source_key", read_only=True)]
    parent_page_types = ["modules.ModuleIndexPage"]
    subpage_types = ["modules.LessonPage"]

    class Meta:
        verbose_name = _("module")

    @property
    def objective_list(self):
        return [line.strip() for line in self.objectives.splitlines() if line.strip()]

    @cached_property
    def lessons(self):
        return list(LessonPage.objects.child_of(self).live().order_by("path"))

    @property
    def estimated_minutes(self):
        return sum(lesson.estimated_minutes for lesson in self.lessons)

    @classmethod
    def annotate_lessons(cls, modules):
        """Fill `lessons` for many modules with one query (no query per module)."""
        by_parent = defaultdict(list)
        if modules:
            query = models.Q()
            for module in modules:
                query |= models.Q(path__startswith=module.path, depth=module.depth + 1)
            for lesson in LessonPage.objects.live().filter(query).order_by("path"):
                by_parent[lesson.path[: -Page.steplen]].append(lesson)
        for module in modules:
            module.__dict__["lessons"] = by_parent[module.path]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["competences"] = self.competences.all()
        return context


class LessonPage(ContentSourceMixin, Page):
    estimated_minutes = models.PositiveSmallIntegerField(_("durée estimée (minutes)"), default=10)
    trainer_tips = RichTextField(
        _("conseils pour le formateur"),
        features=TEXT_FEATURES,
        blank=True,
        help_text=_("Visible seulement par les formateurs."),
    )
    steps = StreamField([("step", StepBlock())], verbose_name=_("étapes"), min_num=1)

    search_fields = [*Page.search_fields, index.SearchField("steps")]
    content_panels = [
        *Page.content_panels,
        FieldPanel("estimated_minutes"),
        FieldPanel("steps"),
        FieldPanel("trainer_tips"),
    ]
    promote_panels = [*Page.promote_panels, FieldPanel("source_key", read_only=True)]
    parent_page_types = ["modules.ModulePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("leçon")
        verbose_name_plural = _("leçons")
        permissions = [("view_trainer_tips", _("Peut voir les conseils pour le formateur"))]

    @property
    def step_count(self):
        return len(self.steps)

    def step_number_from(self, request):
        """The step asked for in `?etape=`, clamped to the lesson (bad input never fails)."""
        number = int_param(request.GET, "etape", default=1)
        return min(max(number, 1), max(self.step_count, 1))

    def exercise_of(self, number):
        """The exercise block child of step `number` (1-based), or None."""
        step = self.steps[number - 1]
        exercises = step.value["exercise"]
        return exercises[0] if exercises else None

    def exercises(self):
        """Every exercise of the lesson, as (step number, exercise block child)."""
        return [
            (number, exercise)
            for number, step in enumerate(self.steps, start=1)
            for exercise in step.value["exercise"]
        ]

    def exercise_outline(self):
        """Every exercise of the lesson, as (step number, block id, label), read from
        the stored data: no query, whatever the exercises point to (a simulation's
        scenario is a snippet, fetched for each step when the blocks are built)."""
        exercise_blocks = self.steps.stream_block.child_blocks["step"].child_blocks["exercise"]
        outline = []
        for number, step in enumerate(self.steps.raw_data, start=1):
            value = step["value"]
            for exercise in value.get("exercise") or []:
                block = exercise_blocks.child_blocks.get(exercise["type"])
                question = (exercise.get("value") or {}).get("question")
                label = question or value.get("title") or (block.label if block else "")
                outline.append((number, exercise["id"], str(label)))
        return outline

    def exercise_by_id(self, block_id):
        for number, exercise in self.exercises():
            if exercise.id == block_id:
                return number, exercise
        return None, None

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        number = kwargs.get("step_number") or self.step_number_from(request)
        context.update(
            step_number=number,
            step=self.steps[number - 1] if self.step_count else None,
            exercise=self.exercise_of(number) if self.step_count else None,
            step_numbers=range(1, self.step_count + 1),
            previous_number=number - 1 if number > 1 else None,
            next_number=number + 1 if number < self.step_count else None,
            module=self.get_parent().specific,
            can_see_trainer_tips=request.user.has_perm("modules.view_trainer_tips"),
        )
        return context

    def get_template(self, request, *args, **kwargs):
        if getattr(request, "htmx", False) and not getattr(request.htmx, "boosted", False):
            return "modules/_lesson_step.html"
        return super().get_template(request, *args, **kwargs)


class Scenario(models.Model):
    """A practice simulator's content: the site's items and the goals to reach.

    Editors write scenarios in the admin (Fragments > Simulations) or in
    content/simulations/; a lesson step points to one with a "simulation" exercise.
    """

    key = models.SlugField(
        _("clé"),
        max_length=100,
        unique=True,
        help_text=_("Un nom court et stable. Les leçons désignent la simulation par cette clé."),
    )
    kind = models.CharField(
        _("type de site"),
        max_length=20,
        choices=[(name, kind.label) for name, kind in KINDS.items()],
    )
    title = models.CharField(_("titre"), max_length=150)
    intro = models.TextField(
        _("présentation"),
        blank=True,
        max_length=1000,
        help_text=_("Ce que la personne lit avant de commencer."),
    )
    items = StreamField(
        item_blocks(), blank=True, verbose_name=_("contenu du site"), use_json_field=True
    )
    goals = StreamField(goal_blocks(), verbose_name=_("objectifs"), use_json_field=True)
    source_hash = models.CharField(max_length=64, blank=True, editable=False)

    panels = [
        FieldPanel("key"),
        FieldPanel("kind"),
        FieldPanel("title"),
        FieldPanel("intro"),
        FieldPanel("items"),
        FieldPanel("goals"),
    ]

    class Meta:
        ordering = ["title"]
        verbose_name = _("simulation")
        verbose_name_plural = _("simulations")

    def __str__(self):
        return self.title

    def clean(self):
        kind = KINDS.get(self.kind)
        if kind is None:
            return
        errors = []
        allowed_items = {name for name, _block in kind.items}
        allowed_goals = {name for name, _block in kind.goals}
        if any(child.block_type not in allowed_items for child in self.items):
            errors.append(_("Un élément du contenu ne va pas avec ce type de site."))
        if any(child.block_type not in allowed_goals for child in self.goals):
            errors.append(_("Un objectif ne va pas avec ce type de site."))
        keys = [child.value["key"] for child in self.goals]
        if len(keys) != len(set(keys)):
            errors.append(_("Deux objectifs ont la même clé."))
        if not errors and kind.problems is not None:
            errors.extend(kind.problems(self.items, self.goals))
        if errors:
            raise ValidationError(errors)

    def goal(self, key):
        """The goal block child with this key, or None."""
        return next((child for child in self.goals if child.value["key"] == key), None)
