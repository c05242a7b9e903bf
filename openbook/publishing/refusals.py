"""What the publishing use cases' own refusals mean, a sentence each, by their codes: those of the
publish use case (whose release it is, a release id used twice: openbook.publishing.publish and
ownership; docs/publishing-api.md, "Errors") and those of the registers' checks of an entry
(openbook.registers, openbook.standards.registers; docs/registers.md), which the publisher and
supplier pages meet when they publish a notice or register a supplier.

Their messages are English text naming the values found, written for the API's users. A page in
another language shows the summary of the code instead, translated (openbook.web.pages.i18n,
``rule_said``), as it does for the notice rules and the review codes: no English sentence is left
inside a Welsh page. The summaries speak to the person at the page, who answered questions rather
than wrote JSON.
"""

from openbook.publishing import numbering
from openbook.standards.identifiers import PROBLEMS as IDENTIFIER_PROBLEMS

# The publish use case: a release that is not the organisation's, a release id already used, an
# entry numbered alike with another notice's.
PUBLISHING = {
    "conflict": "This notice’s release id is already used by another notice, so nothing was "
    "published: publish it again to give it an id of its own.",
    "other-organisation": "This notice is not your organisation’s to publish: you can publish "
    "only notices that name your organisation as the buyer.",
    "other-organisation-process": "This procurement belongs to another organisation: you can "
    "add notices only to your own organisation’s procurements.",
    "ocid-not-minted": "This procurement’s identifier (ocid) was not given to your "
    "organisation: start the notice again to get one of its own.",
    "buyer-ambiguous": "The buyer is identified as your organisation and as another "
    "organisation registered here: a buyer is one organisation.",
    "buyer-missing": "The notice names no buyer: it must name your organisation.",
    "party-id-repeated": "Two organisations in the notice have the same id: each needs its own.",
    # A contract's next payment numbered alike by two people at once (openbook.publishing
    # .numbering): the second is refused rather than replace the first.
    numbering.CODE: "Another notice was published in this procurement while you were checking "
    "your answers, and took the number this notice was given, so nothing was published. Your "
    "answers are kept: publish the notice again to number it after that one.",
}

# The registers' checks of an entry (a supplier registering itself, or changing its details).
# "required" is the review code's ("A field that must be given is missing."): one meaning.
REGISTERS = {
    "not-an-object": "An answer is not in the form the register keeps.",
    "unknown-field": "An answer was sent that the register has no place for.",
    "not-a-boolean": "An answer must be yes or no.",
    "not-a-string": "An answer must be text.",
    "invalid-character": "An answer contains a character that cannot be kept.",
    "unknown-code": "An answer is not one of the choices the register allows.",
    "malformed-url": "A web address must start with http:// or https://.",
    "malformed-date": "A date is not a real date.",
    "too-long": "An answer is longer than the register keeps.",
    "not-a-list": "An answer must be a list.",
    "too-many": "An answer lists more than the register keeps.",
    "malformed-email": "The email address is not in the correct format.",
    "platform-identifier": "The platform gives the supplier its number itself: give only "
    "identifiers from other registers.",
    "duplicate": "An identifier is given twice.",
    "not-its-identifier": "An identifier said to be self-declared is not one of the "
    "supplier’s identifiers.",
    "identifier-held": "An identifier is already registered to another supplier.",
    "identifiers-locked": "The supplier’s identifiers can be changed only by the platform’s "
    "administrators.",
    "other-supplier": "You can change only your own supplier’s details.",
    "role-required": "Your account cannot make this change.",
    "version-changed": "The details were changed by someone else since you opened the page: "
    "open it again, then make your change.",
    # An identifier that is none its register could have issued (the register's field checks
    # give the identifier check's problem, prefixed).
    **{
        f"identifier-{problem}": "An identifier is not one its register could have issued: "
        "check it against the register."
        for problem in IDENTIFIER_PROBLEMS
    },
}

SUMMARIES = {**PUBLISHING, **REGISTERS}
