"""roret's password hasher: Argon2id with OWASP's parameters instead of Django's defaults.

Django's Argon2PasswordHasher uses 100 MiB, 2 passes and 8 lanes: about 200 ms of CPU per login on
these 2-core servers, so a morning's logins queue every other request behind them
(docs/benchmarks.md, "Load ..."). OWASP's Password Storage Cheat Sheet gives equally strong
Argon2id settings that trade memory for passes; its recommended minimum, m=19 MiB (19,456 KiB),
t=2, p=1, costs about 20 ms of CPU here. A stored hash carries its own parameters, so hashes made
with Django's defaults still verify, and Django rehashes them with these at the next login
(``must_update``)."""

from django.contrib.auth.hashers import Argon2PasswordHasher as DjangoArgon2PasswordHasher


class Argon2PasswordHasher(DjangoArgon2PasswordHasher):
    """Argon2id at OWASP's minimum: 19 MiB of memory, 2 passes, 1 lane."""

    memory_cost = 19 * 1024  # KiB
    time_cost = 2
    parallelism = 1
