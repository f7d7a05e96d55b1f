"""The 16 competences of the French CRCN framework, seeded by a data migration."""

CRCN_COMPETENCES = [
    ("1.1", 1, "Mener une recherche et une veille d'information"),
    ("1.2", 1, "Gérer des données"),
    ("1.3", 1, "Traiter des données"),
    ("2.1", 2, "Interagir"),
    ("2.2", 2, "Partager et publier"),
    ("2.3", 2, "Collaborer"),
    ("2.4", 2, "S'insérer dans le monde numérique"),
    ("3.1", 3, "Développer des documents textuels"),
    ("3.2", 3, "Développer des documents multimédia"),
    ("3.3", 3, "Adapter les documents à leur finalité"),
    ("3.4", 3, "Programmer"),
    ("4.1", 4, "Sécuriser l'environnement numérique"),
    ("4.2", 4, "Protéger les données personnelles et la vie privée"),
    ("4.3", 4, "Protéger la santé, le bien-être et l'environnement"),
    ("5.1", 5, "Résoudre des problèmes techniques"),
    ("5.2", 5, "Évoluer dans un environnement numérique"),
]


def seed_competences(competence_model):
    for code, domain, name in CRCN_COMPETENCES:
        competence_model.objects.update_or_create(
            code=code, defaults={"domain": domain, "name": name}
        )
