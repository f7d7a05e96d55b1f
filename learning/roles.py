"""The roles of the platform, as Django groups with permissions.

Wagtail's own migrations create "Editors" and "Moderators" with rights on the
whole page tree: content editors are "Editors". Trainers get the admin (their
space grows there) and the trainer tips of the lessons.
"""

TRAINERS = "Formateurs"
STRUCTURE_MANAGERS = "Responsables de structure"
EDITORS = "Editors"

_TRAINER_WORK = [
    ("learning", model, f"{action}_{model}")
    for model in ("group", "trainingsession", "attendance", "trainernote", "referral")
    for action in ("add", "change", "view")
] + [
    ("learning", "partner", "view_partner"),
    ("learning", "helprequest", "view_helprequest"),
    ("learning", "helprequest", "change_helprequest"),
]

ROLE_PERMISSIONS = {
    TRAINERS: [
        ("wagtailadmin", "admin", "access_admin"),
        ("modules", "lessonpage", "view_trainer_tips"),
        # Learners of their own structures only: the views scope every query.
        ("learning", "learner", "add_learner"),
        ("learning", "learner", "change_learner"),
        ("learning", "learner", "view_learner"),
        *_TRAINER_WORK,
    ],
    # Everything a trainer does, plus erasure, partners and the funders' report,
    # for the structures they are a member of.
    STRUCTURE_MANAGERS: [
        ("wagtailadmin", "admin", "access_admin"),
        ("modules", "lessonpage", "view_trainer_tips"),
        ("learning", "learner", "add_learner"),
        ("learning", "learner", "change_learner"),
        ("learning", "learner", "view_learner"),
        ("learning", "learner", "delete_learner"),
        *_TRAINER_WORK,
        ("learning", "group", "delete_group"),
        ("learning", "trainingsession", "delete_trainingsession"),
        ("learning", "referral", "delete_referral"),
        ("learning", "partner", "add_partner"),
        ("learning", "partner", "change_partner"),
        ("learning", "partner", "delete_partner"),
        ("learning", "structure", "view_structure"),
        ("learning", "structure", "view_report"),
    ],
    EDITORS: [
        ("modules", "lessonpage", "view_trainer_tips"),
        ("modules", "competence", "add_competence"),
        ("modules", "competence", "change_competence"),
        ("modules", "competence", "view_competence"),
        ("modules", "scenario", "add_scenario"),
        ("modules", "scenario", "change_scenario"),
        ("modules", "scenario", "view_scenario"),
    ],
}


def create_roles(group_model, permission_model, content_type_model):
    for group_name, permissions in ROLE_PERMISSIONS.items():
        group, _created = group_model.objects.get_or_create(name=group_name)
        for app_label, model, codename in permissions:
            content_type, _ = content_type_model.objects.get_or_create(
                app_label=app_label, model=model
            )
            permission, _ = permission_model.objects.get_or_create(
                content_type=content_type,
                codename=codename,
                defaults={"name": codename.replace("_", " ")},
            )
            group.permissions.add(permission)
