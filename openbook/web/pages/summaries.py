"""What the pages show of a process in a list (search results, the home page's newest, an
organisation's notices): the same dict in the HTML and the JSON twin."""

from openbook.store.search import Found


def process_summary(found: Found) -> dict:
    return {
        "ocid": found.ocid,
        "title": found.title,
        "buyer": {"id": found.buyer_id, "name": found.buyer_name},
        "value": {"amount": found.value_amount, "currency": found.value_currency}
        if found.value_amount is not None
        else None,
        "stage": found.stage,
        "status": found.status,
        "procurementMethod": found.procurement_method,
        "published": found.published,
        "deadline": found.deadline,
        "awardDate": found.award_date,
        "contractStart": found.contract_start,
        "contractEnd": found.contract_end,
    }
