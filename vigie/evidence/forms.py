"""Forms of the evidence pages."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext, gettext_lazy

# A legal file is a few megabytes (screenshots, PDF, MHTML of each capture); a larger upload is
# refused before it is read (setting EVIDENCE_VERIFY_MAX_BYTES).
DEFAULT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024


def max_upload_bytes() -> int:
    return int(getattr(settings, "EVIDENCE_VERIFY_MAX_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def too_large_message() -> str:
    megabytes = max(1, max_upload_bytes() // (1024 * 1024))
    return gettext("Fichier trop volumineux : %(size)s Mo au plus.") % {"size": megabytes}


class LiftHoldForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Pourquoi lever la conservation ?"),
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("ex. : affaire classée, délai expiré")}),
    )


class VerifyBundleForm(forms.Form):
    bundle = forms.FileField(label=gettext_lazy("Dossier de preuve (fichier ZIP)"))

    def clean_bundle(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["bundle"]
        if (upload.size or 0) > max_upload_bytes():
            raise forms.ValidationError(too_large_message())
        return upload
