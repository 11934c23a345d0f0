app_name = "wholeplace"
urlpatterns: list = []
