from django.apps import AppConfig


class WholeplaceConfig(AppConfig):
    name = "placebase.wholeplace"
    label = "wholeplace"
    default_auto_field = "django.db.models.BigAutoField"
