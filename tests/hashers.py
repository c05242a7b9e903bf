"""The password hasher the suite uses: Django's PBKDF2 at one iteration.

The platform hashes passwords with PBKDF2 at Django's full work factor (openbook.settings), some
0.5 s of CPU a hash on these machines; a page test signs in once or more, so at full cost the
suite would spend minutes hashing. Same algorithm name and hash format, so hashes made here
verify in a server started by the tests (which keeps the full work factor), and the platform's
code (fingerprints of the stored hash, the refusal timing on unknown names) runs unchanged.
tests/test_publishers.py checks the platform's own setting."""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class OneIterationPBKDF2(PBKDF2PasswordHasher):
    iterations = 1
