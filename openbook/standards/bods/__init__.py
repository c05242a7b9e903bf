"""The Beneficial Ownership Data Standard 0.4 (BODS), the platform's second standard (issue 6):
the schema facts it carries (``data/``, built by scripts/build_bods_facts.py), and validation
(``validate``). Pure: no I/O beyond reading the carried files."""

REGISTER = "bods"
VERSION = "0.4"
