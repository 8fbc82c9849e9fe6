"""A password hasher for the tests: PBKDF2 with one iteration instead of a million.

Each hash of the real one costs 0.7 s of CPU on this machine, and the tests make hundreds
(every organiser fixture, every login): a third of the fast tier's time. The algorithm's
name stays "pbkdf2_sha256" and the iteration count is in the hash, so a server process that
the tests start, with Django's own hashers, still verifies these passwords.
"""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    iterations = 1
