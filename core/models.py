"""The infrastructure's own tables: change counters and the database cache."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChangeGeneration(models.Model):
    """A counter per kind of change, read in one query by every process that caches bodies.

    Caches key what they build by these numbers, so a change made by any process (another
    gunicorn worker, another server, a management command) is seen at the next request,
    whatever cache backend each process has.
    """

    key = models.CharField(_("key"), max_length=40, primary_key=True)
    value = models.BigIntegerField(_("value"), default=0)

    class Meta:
        verbose_name = _("change generation")
        verbose_name_plural = _("change generations")

    def __str__(self):
        return f"{self.key}={self.value}"


class CacheEntry(models.Model):
    """The table Django's database cache uses in production when REDIS_URL is not set.

    Declared as a model so that `migrate` creates it; Django's DatabaseCache reads and
    writes it with its own SQL (the columns are the ones `createcachetable` would make).
    """

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "potluck_cache"
        verbose_name = _("cache entry")
        verbose_name_plural = _("cache entries")

    def __str__(self):
        return self.cache_key
