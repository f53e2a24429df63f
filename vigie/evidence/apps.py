"""Evidence of defamatory or insulting posts: captures, signed manifests, timestamps, legal file, legal hold."""

from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "vigie.evidence"
    label = "evidence"

    def ready(self) -> None:
        from django.db.models.signals import pre_delete

        from vigie.evidence.signals import refuse_deleting_held_mention
        from vigie.mentions.models import Mention

        pre_delete.connect(refuse_deleting_held_mention, sender=Mention, dispatch_uid="evidence_hold_guard")
