"""The list pages' amounts: the shape learnt once per locale and currency writes exactly what
Babel writes (template_filters._money_shape), or Babel writes them."""

import random
from decimal import Decimal

from babel import Locale
from babel.numbers import format_currency

from djaboo.template_filters import _money_shape


def test_the_fast_shape_writes_what_babel_writes():
    rng = random.Random(16)
    used = 0
    for language in ("en", "de", "fr", "de_CH", "hi", "en_IN", "ar", "pt_BR", "es", "pl", "ja"):
        for currency in ("EUR", "USD", "JPY", "CHF", "INR", "KWD"):
            fast = _money_shape(language, currency)
            if fast is None:
                continue  # Babel writes every amount of this pair
            used += 1
            for _ in range(300):
                value = Decimal(rng.randint(0, 10**10)) / Decimal(10 ** rng.randint(0, 4))
                assert fast(value) == format_currency(
                    value, currency, locale=Locale.parse(language)
                )
    assert used >= 10
