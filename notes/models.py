from django.db import models  # noqa: F401  (notes arrive with the table chairs issue)
