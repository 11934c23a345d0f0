"""Forms for places: the picker, imports, and custom areas. They parse; services decide."""

from django import forms

from .models import CUSTOM_LEVELS, Level

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


class PlaceSearchForm(forms.Form):
    q = forms.CharField(
        label="Place name, area code or postcode",
        help_text="For example Wallington, E05013754 or SM1 1AA",
        max_length=100,
        required=True,
        error_messages={"required": "Enter a place name, area code or postcode"},
    )


class _UploadForm(forms.Form):
    file = forms.FileField(
        label="File",
        error_messages={"required": "Choose a file to upload", "empty": "The file is empty"},
    )

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file must be smaller than 200 MB")
        return upload


class BoundaryImportForm(_UploadForm):
    level = forms.ChoiceField(label="Level", choices=Level.choices)
    vintage = forms.IntegerField(
        label="Vintage (year)",
        min_value=1900,
        max_value=2100,
        help_text="The year the boundaries took effect, for example 2025",
        error_messages={"required": "Enter the year the boundaries took effect"},
    )
    name = forms.CharField(
        label="Name of the boundary set (optional)", required=False, max_length=200
    )
    code_field = forms.CharField(
        label="Code field (optional)",
        required=False,
        max_length=50,
        help_text="Found for you when left blank, for example WD25CD",
    )
    name_field = forms.CharField(
        label="Name field (optional)",
        required=False,
        max_length=50,
        help_text="Found for you when left blank, for example WD25NM",
    )
    source = forms.CharField(label="Source (optional)", required=False, max_length=300)
    licence = forms.CharField(label="Licence (optional)", required=False, max_length=200)


class PostcodeImportForm(_UploadForm):
    source = forms.CharField(
        label="Source (optional)",
        required=False,
        max_length=100,
        help_text="For example ONSPD August 2025",
    )


class AreaDataImportForm(_UploadForm):
    level = forms.ChoiceField(label="Level", choices=Level.choices)
    vintage = forms.IntegerField(label="Vintage (year)", min_value=1900, max_value=2100)
    source = forms.CharField(label="Source (optional)", required=False, max_length=200)


class CustomAreaForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter a name for the area"}
    )
    level = forms.ChoiceField(
        label="Kind of area",
        choices=[(c.value, c.label) for c in Level if c in CUSTOM_LEVELS],
        initial=Level.PATCH,
    )
    geometry = forms.CharField(
        label="Shape as GeoJSON",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Paste a GeoJSON polygon (WGS84 or British National Grid), upload a file, "
        "or draw on the map",
    )
    file = forms.FileField(label="Or upload a GeoJSON file", required=False)

    def clean(self):  # type: ignore[no-untyped-def]
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None:
            if upload.size > 5 * 1024 * 1024:
                self.add_error("file", "The file must be smaller than 5 MB")
                return cleaned
            try:
                cleaned["geometry"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("file", "The file must be GeoJSON text")
        if not (cleaned.get("geometry") or "").strip() and "file" not in self.errors:
            self.add_error("geometry", "Draw the area, paste its GeoJSON or upload a file")
        return cleaned
