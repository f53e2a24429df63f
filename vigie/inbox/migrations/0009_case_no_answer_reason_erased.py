# A case closed because its person's data was erased (GDPR): choices only, no SQL on either database.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0008_mention_search_english"),
    ]

    operations = [
        migrations.AlterField(
            model_name="case",
            name="no_answer_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("troll", "Troll : à modérer, ne pas nourrir la conversation"),
                    ("spam", "Indésirable : à masquer, pas à traiter"),
                    ("answered_elsewhere", "Déjà répondu ailleurs"),
                    ("not_needed", "Pas de réponse nécessaire, selon l'agent"),
                    ("rule", "La règle de traitement dit : pas de réponse"),
                    ("charter", "La charte ne prévoit pas de réponse pour ce type de message"),
                    ("channel", "La charte n'engage pas la conversation sur cette plateforme"),
                    ("erased", "Données effacées à la demande de la personne (RGPD)"),
                ],
                max_length=20,
            ),
        ),
    ]
