"""Stored values derived from other rows (a claim's verdict, a document's counts), written
only by the service that refreshes them."""


class DerivedFieldsMixin:
    """A save of a row already stored writes every concrete field but `derived_fields`, so a
    row loaded before a refresh cannot write the stale values it loaded back over it.
    A save naming its update_fields, and the first save of a new row, are left as asked."""

    derived_fields: tuple[str, ...] = ()

    def save(self, *args, **kwargs):
        # Model._state.adding is Django's documented "not saved to the database yet" flag.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = self.saved_fields()
        super().save(*args, **kwargs)

    def saved_fields(self) -> list[str]:
        """The fields a plain save writes: those not derived, and loaded (a deferred field
        is left as stored, as Model.save() leaves it)."""
        skipped = {*self.derived_fields, *self.get_deferred_fields()}
        return [
            field.name
            for field in self._meta.concrete_fields
            if not field.primary_key and field.name not in skipped and field.attname not in skipped
        ]
