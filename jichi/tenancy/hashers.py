"""A cheap Argon2 for the test suite only (settings enable it when testing)."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class FastTestArgon2Hasher(Argon2PasswordHasher):
    algorithm = "argon2"  # same encoding: production hashes verify unchanged
    time_cost = 1
    memory_cost = 256
    parallelism = 1
