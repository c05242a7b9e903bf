"""The verifiable log's public API: the latest signed tree head, inclusion and consistency proofs
(RFC 9162), the keys that sign, and the withdrawals and redactions made (docs/api.md,
docs/log-format.md). Read-only and public."""

from django.http import HttpRequest
from ninja import Query, Router, Schema

from openbook import feed, marks, transparency
from openbook.standards.marks import REDACTIONS, WITHDRAWALS
from openbook.store.database import Store
from openbook.web.api import ocds
from openbook.web.api.errors import ApiError, bad_parameter, not_found
from openbook.web.api.responses import absolute, json_value
from openbook.web.api.schemas import ERRORS, Error

router = Router(tags=["Verifiable log"])

# Sequence numbers and sizes as the database holds them (signed 64-bit), with room to spare.
LARGEST = 2**62
NO_HEAD = (
    "no tree head has been signed yet: the platform's operator signs them with "
    "`openbook log sign` (docs/operators.md)"
)


class TreeHead(Schema):
    treeSize: int
    rootHash: str
    timestamp: str
    keyId: str
    signature: str
    checkpoint: str


class InclusionProof(Schema):
    sequence: int
    treeSize: int
    leafHash: str
    rootHash: str
    auditPath: list[str]


class ConsistencyProof(Schema):
    first: int
    second: int
    firstRootHash: str
    secondRootHash: str
    consistencyPath: list[str]


class PublicKey(Schema):
    keyId: str
    algorithm: str
    publicKey: str
    publicKeyPem: str
    name: str
    verifierKey: str
    created: str
    retired: str | None = None
    status: str


class PublicKeys(Schema):
    keys: list[PublicKey]


@router.get(
    "/tree-head",
    response={200: TreeHead, **ERRORS},
    summary="The latest signed tree head",
    description=(
        "The Merkle tree head (RFC 9162) over the log's first `treeSize` entries, signed by the "
        "platform's Ed25519 key: `checkpoint` is a C2SP checkpoint (a signed note) that "
        "transparency-log tools verify as it is; `signature` is the same Ed25519 signature in "
        "base64, over the checkpoint's text. Hashes are hex. 404 until a head is signed."
    ),
)
def tree_head(request: HttpRequest):
    head = transparency.latest_tree_head(Store())
    if head is None:
        raise not_found(NO_HEAD)
    return json_value(head)


@router.get(
    "/proof/inclusion",
    response={200: InclusionProof, **ERRORS, 503: Error},
    summary="An inclusion proof: that an entry is in the tree of a given size",
    description=(
        "The audit path (RFC 9162 section 2.1.3) of entry `sequence` in the tree of the log's "
        "first `tree_size` entries, for any size up to the latest signed head's. Check it against "
        "a signed head of that size; `rootHash` is the root it proves, given for other sizes. "
        "503 if the log's stored tree is damaged and cannot give the proof."
    ),
)
def inclusion(
    request: HttpRequest,
    *,
    sequence: int = Query(..., ge=0, le=LARGEST, description="The entry's seq (0-based)."),
    tree_size: int = Query(..., ge=1, le=LARGEST, description="The tree's size: more than seq."),
):
    return _answer(lambda store: transparency.inclusion_proof(store, sequence, tree_size))


@router.get(
    "/proof/consistency",
    response={200: ConsistencyProof, **ERRORS, 503: Error},
    summary="A consistency proof: that one tree is a prefix of a larger one",
    description=(
        "The proof (RFC 9162 section 2.1.4) that the tree of the log's first `first` entries is a "
        "prefix of the tree of its first `second` entries: that nothing in between was changed. "
        "`second` is at most the latest signed head's size. 503 if the log's stored tree is "
        "damaged and cannot give the proof."
    ),
)
def consistency(
    request: HttpRequest,
    *,
    first: int = Query(..., ge=0, le=LARGEST, description="The smaller tree's size."),
    second: int = Query(..., ge=0, le=LARGEST, description="The larger tree's size."),
):
    if first > second:
        raise bad_parameter("first", f"{first} is more than second ({second})")
    return _answer(lambda store: transparency.consistency_proof(store, first, second))


@router.get(
    "/keys",
    response={200: PublicKeys, **ERRORS},
    summary="The keys that sign the log, current and retired",
    description=(
        "Every Ed25519 key that has signed this log's tree heads, by key id (the hex SHA-256 of "
        "the raw public key): the current one and the retired ones, whose heads stay verifiable. "
        "`verifierKey` is the key as Go's note package reads it."
    ),
)
def keys(request: HttpRequest):
    return json_value({"keys": transparency.public_keys(Store())})


class MarkingStatement(Schema):
    sequence: int
    logTime: str
    recordKey: str  # the record of the statement it marks (an OCDS ocid)
    statementId: str  # the seq of the statement it marks, in decimal
    publisher: str
    bodySha256: str
    leafHash: str
    body: dict | None  # the statement (docs/log-format.md); null if itself redacted


class Links(Schema):
    next: str | None = None


class Withdrawals(Schema):
    withdrawals: list[MarkingStatement]
    links: Links


class Redactions(Schema):
    redactions: list[MarkingStatement]
    links: Links


@router.get(
    "/withdrawals",
    response={200: Withdrawals, **ERRORS},
    summary="Every withdrawal: notices their publishers marked published in error",
    description=(
        "The statements of the log's `withdrawals` register in log order: each names the "
        "release withdrawn (its seq, ocid, id and hashes), the publisher's reason and the "
        "time. Follow `links.next` to receive every one exactly once."
    ),
)
def withdrawals(
    request: HttpRequest,
    *,
    cursor: str | None = Query(None, max_length=300, description="From `links.next`."),
    limit: int = Query(100, ge=1, le=1000),
):
    return _marking_page(request, WITHDRAWALS, cursor, limit)


@router.get(
    "/redactions",
    response={200: Redactions, **ERRORS},
    summary="Every redaction: bodies removed, and why",
    description=(
        "The statements of the log's `redactions` register in log order: each names the entry "
        "whose body was removed (its seq and hashes, which stay in the tree), the reason, the "
        "legal authority, the time and the administrator, and carries a note signed with the "
        "log's key (docs/log-format.md). Follow `links.next` to receive every one."
    ),
)
def redactions(
    request: HttpRequest,
    *,
    cursor: str | None = Query(None, max_length=300, description="From `links.next`."),
    limit: int = Query(100, ge=1, le=1000),
):
    return _marking_page(request, REDACTIONS, cursor, limit)


def _marking_page(request: HttpRequest, register: str, cursor: str | None, limit: int):
    start = ocds.start_of(cursor)
    found = marks.statements_page(Store(), register, start, limit)
    links = {}
    if len(found) == limit:
        following = feed.encode_cursor(found[-1]["sequence"] + 1)
        links["next"] = absolute(request, request.path, {"cursor": following, "limit": limit})
    return json_value({register: found, "links": links})


def _answer(make):
    try:
        return json_value(make(Store()))
    except transparency.NoTreeHead:
        raise not_found(NO_HEAD) from None
    except transparency.BadProofRequest as error:
        raise bad_parameter(error.parameter, error.message) from None
    except transparency.DamagedTree as error:
        # Not the client's fault, nor a crash: the operator has a damaged database to look at.
        raise ApiError(503, "log-damaged", str(error)) from None
